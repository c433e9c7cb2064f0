import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { DataSourceSpec, type ConfigSnapshot } from '../../../shared/cluster/model.ts';
import { resolveClusterPipeline } from '../../../shared/cluster/resolve-cluster-pipeline.ts';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { checkMysqlUrl, formatMysqlUrl, parseMysqlUrl } from '../../../shared/config/mysql-url.ts';
import { isFerryError } from '../../../shared/errors/index.ts';

function problemOf(url: string): string {
  const result = checkMysqlUrl(url);
  if (result.ok) throw new Error(`expected ${url} to be refused`);
  return result.problem;
}

/** The problems resolvePipeline reports, as 'path: message'. */
function resolveProblems(spec: unknown): string[] {
  try {
    resolvePipeline(spec, { baseDir: '/etc/ferry' });
  } catch (error) {
    if (!isFerryError(error, 'FERRY_ERR_CONFIG_INVALID')) throw error;
    return (error.details.errors as { path: string; message: string }[]).map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the spec to be refused');
}

describe('TLS parameters in mysql:// URLs', () => {
  it('takes ssl-mode, ssl-ca, ssl-cert and ssl-key as MySQL names them', () => {
    expect(parseMysqlUrl('mysql://u:p@db1:3306?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem&ssl-cert=c.pem&ssl-key=k%20.pem')).toEqual({
      host: 'db1', port: 3306, user: 'u', password: 'p',
      tls: { mode: 'VERIFY_IDENTITY', ca: '/etc/ca.pem', cert: 'c.pem', key: 'k .pem' },
    });
  });

  it('reads the mode in any case, with _ for -, and the query right after the host', () => {
    expect(parseMysqlUrl('mysql://u@db1?ssl_mode=verify-ca&ssl-ca=ca.pem').tls).toEqual({ mode: 'VERIFY_CA', ca: 'ca.pem' });
    expect(parseMysqlUrl('mysql://u@db1/?ssl-mode=required').tls).toEqual({ mode: 'REQUIRED' });
  });

  it('leaves tls out when no parameter is given (the default mode, DISABLED)', () => {
    expect(parseMysqlUrl('mysql://u:p@db1:3306')).not.toHaveProperty('tls');
  });

  it('implies VERIFY_CA from ssl-ca and REQUIRED from a client certificate, as MySQL does', () => {
    expect(parseMysqlUrl('mysql://u@h?ssl-ca=ca.pem').tls?.mode).toBe('VERIFY_CA');
    expect(parseMysqlUrl('mysql://u@h?ssl-cert=c.pem&ssl-key=k.pem').tls?.mode).toBe('REQUIRED');
  });

  it.each([
    ['mysql://u:p@h?ssl-mode=VERIFY', /ssl-mode must be one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY/],
    ['mysql://u:p@h?ssl-mode=REQUIRED&ssl-mode=DISABLED', /gives ssl-mode twice/],
    ['mysql://u:p@h?sslmode=REQUIRED', /unknown parameter/],
    ['mysql://u:p@h?ssl-cert=c.pem', /ssl-cert and ssl-key go together/],
    ['mysql://u:p@h?ssl-ca=', /ssl-ca is empty/],
    ['mysql://u:p@h?ssl-mode=DISABLED&ssl-ca=ca.pem', /DISABLED but certificate files are given/],
  ])('refuses %s', (url, problem) => {
    expect(problemOf(url)).toMatch(problem);
  });

  it('never quotes an unknown parameter (it may be a misplaced password)', () => {
    expect(problemOf('mysql://u@h?Sup3rS3cret=1')).not.toContain('Sup3rS3cret');
  });

  it('formats the parameters back so that the URL parses to the same endpoint', () => {
    const endpoint = parseMysqlUrl('mysql://u:p@h:3307?ssl-mode=VERIFY_IDENTITY&ssl-ca=/a%26b/ca.pem');
    expect(parseMysqlUrl(formatMysqlUrl(endpoint, { password: 'include' }))).toEqual(endpoint);
    expect(formatMysqlUrl(endpoint)).toBe('mysql://u:***@h:3307?ssl-mode=VERIFY_IDENTITY&ssl-ca=%2Fa%26b%2Fca.pem');
  });
});

describe('TLS fields in pipeline files', () => {
  const tables = ['db.t'];

  it('takes sslMode, sslCa, sslCert and sslKey on an endpoint object; relative files from the pipeline file', () => {
    const pipeline = resolvePipeline({
      source: { host: '127.0.0.1', user: 'repl', sslMode: 'VERIFY_IDENTITY', sslCa: 'certs/ca.pem', sslCert: '/c.pem', sslKey: '/k.pem' },
      target: 'mysql://u@tgt?ssl-mode=REQUIRED',
      tables,
    }, { baseDir: '/etc/ferry' });
    expect(pipeline.source.tls).toEqual({ mode: 'VERIFY_IDENTITY', ca: '/etc/ferry/certs/ca.pem', cert: '/c.pem', key: '/k.pem' });
    expect(pipeline.target.tls).toEqual({ mode: 'REQUIRED' });
  });

  it('resolves ssl-ca of a URL against the pipeline file too', () => {
    const pipeline = resolvePipeline({ source: 'mysql://u@s?ssl-ca=ca.pem', target: 'mysql://u@t', tables }, { baseDir: '/etc/ferry' });
    expect(pipeline.source.tls).toEqual({ mode: 'VERIFY_CA', ca: '/etc/ferry/ca.pem' });
    expect(pipeline.target).not.toHaveProperty('tls');
  });

  it('refuses an unknown mode and a certificate without its key, naming the fields', () => {
    expect(resolveProblems({ source: { host: 's', user: 'u', sslMode: 'ON' }, target: 'mysql://u@t', tables }).join('\n')).toMatch(/^\/source\/sslMode: /m);
    expect(resolveProblems({ source: 'mysql://u@s', target: { host: 't', user: 'u', sslCert: 'c.pem' }, tables })).toEqual(['/target/sslKey: sslCert and sslKey go together (a client certificate needs its key)']);
    expect(resolveProblems({ source: 'mysql://u@s?ssl-mode=SOMETIMES', target: 'mysql://u@t', tables }).join('\n')).toMatch(/^\/source: ssl-mode must be one of/m);
  });
});

describe('TLS fields in cluster data sources', () => {
  it('takes sslMode, sslCa, sslCert and sslKey on a data source and hands them to the pipeline the node runs', () => {
    const base = { dc: 'dc1', master: { host: '10.0.0.1', port: 3306 }, active: 'master' as const, user: 'ferry', password: 'pw' };
    const source = { groupKey: 'a', ...base, sslMode: 'VERIFY_IDENTITY' as const, sslCa: '/etc/ferry/ca.pem', sslCert: '/etc/ferry/c.pem', sslKey: '/etc/ferry/k.pem' };
    expect(Value.Check(DataSourceSpec, source)).toBe(true);
    expect(Value.Check(DataSourceSpec, { ...source, sslMode: 'SOMETIMES' })).toBe(false);
    const snapshot: ConfigSnapshot = {
      epoch: 1,
      dataSources: { a: source, b: { groupKey: 'b', ...base } },
      channels: { c: { name: 'c', pipelines: [{ name: 'p', source: 'a', target: 'b', tables: ['shop.*'] }] } },
    };
    const pipeline = resolveClusterPipeline(snapshot, 'p', 1);
    expect(pipeline.source.tls).toEqual({ mode: 'VERIFY_IDENTITY', ca: '/etc/ferry/ca.pem', cert: '/etc/ferry/c.pem', key: '/etc/ferry/k.pem' });
    expect(pipeline.target).not.toHaveProperty('tls');
  });
});
