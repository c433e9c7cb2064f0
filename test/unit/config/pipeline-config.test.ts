import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultPipelineName, defaultServerId, loadPipelineFile, pipelineFromQuickForm, resolvePipeline,
} from '../../../shared/config/load-pipeline-config.ts';
import { SERVER_ID_RANGE } from '../../../shared/config/pipeline-spec.ts';
import { FerryError, isFerryError } from '../../../shared/errors/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Problem { path: string; message: string; line?: number }

/** The FERRY_ERR_CONFIG_INVALID a call throws, with its problem list. */
function configError(run: () => unknown): { error: FerryError; errors: Problem[] } {
  try {
    run();
  } catch (error) {
    if (!isFerryError(error, 'FERRY_ERR_CONFIG_INVALID')) throw error;
    return { error, errors: error.details.errors as Problem[] };
  }
  throw new Error('expected FERRY_ERR_CONFIG_INVALID');
}

async function configErrorAsync(run: () => Promise<unknown>): Promise<{ error: FerryError; errors: Problem[] }> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  if (!isFerryError(error, 'FERRY_ERR_CONFIG_INVALID')) throw new Error(`expected FERRY_ERR_CONFIG_INVALID, got ${String(error)}`);
  return { error, errors: error.details.errors as Problem[] };
}

const minimal = { source: 'mysql://u:p@src:3306', target: 'mysql://u:p@tgt:3307', tables: ['shop.*'] };

describe('pipeline spec: valid input', () => {
  it('loads a YAML file into a frozen runtime pipeline', async () => {
    const path = writeConfig('full.yaml', `
name: orders
source: mysql://repl:pw@db1:3306
target: { host: db2, user: loader, password: pw2 }
tables:
  - shop.customers
  - source: shop.order_*
    target: archive.*
    columns: { exclude: [note], rename: { created: created_at } }
from: mysql-bin.000003:4
batch: { maxRows: 500 }
parallel: 8
ddl: apply
errorPolicy: skip
hook: ./hooks/h.js
skipPrechecks: [binlog_retention]
`);
    const pipeline = await loadPipelineFile(path);
    expect(pipeline).toMatchObject({
      name: 'orders',
      source: { host: 'db1', port: 3306, user: 'repl', password: 'pw' },
      target: { host: 'db2', port: 3306, user: 'loader', password: 'pw2' },
      from: { kind: 'file', file: 'mysql-bin.000003', pos: 4 },
      batch: { maxRows: 500, maxDelayMs: 20 },
      parallel: 8, ddl: 'apply', errorPolicy: 'skip',
      hook: join(dir, 'hooks', 'h.js'),
      skipPrechecks: ['binlog_retention'],
    });
    expect(pipeline.tables).toEqual([
      { source: 'shop.customers' },
      { source: 'shop.order_*', target: 'archive.*', columns: { exclude: ['note'], rename: { created: 'created_at' } } },
    ]);
    expect(pipeline.mapping.mapTable('shop', 'order_items')?.target).toEqual({ schema: 'archive', table: 'order_items' });
    expect(pipeline.mapping.mapTable('shop', 'order_items')?.columns.mapColumn('created')).toBe('created_at');
    expect(pipeline.mapping.mapTable('shop', 'orders')).toBeUndefined();
    expect(Object.isFrozen(pipeline)).toBe(true);
    expect(Object.isFrozen(pipeline.source)).toBe(true);
    expect(Object.isFrozen(pipeline.tables[1]!.columns!.exclude)).toBe(true);
    expect(Object.isFrozen(pipeline.batch)).toBe(true);
    expect(() => { (pipeline as { parallel: number }).parallel = 1; }).toThrow(TypeError);
  });

  it('fills every default', () => {
    const pipeline = resolvePipeline(minimal);
    expect(pipeline).toEqual({
      name: 'src-3306-to-tgt-3307',
      description: '',
      source: { host: 'src', port: 3306, user: 'u', password: 'p' },
      target: { host: 'tgt', port: 3307, user: 'u', password: 'p' },
      tables: [{ source: 'shop.*' }],
      mapping: pipeline.mapping,
      detectConflicts: false,
      initialCopy: false,
      onPurgedBinlog: 'stop',
      validation: { intervalSeconds: 0 },
      serverId: defaultServerId('src-3306-to-tgt-3307'),
      batch: { maxRows: 1000, maxDelayMs: 20, maxBytes: 1_048_576 },
      parallel: 4,
      queue: { maxRows: 20000, maxBytes: 8_388_608 },
      ddl: 'stop',
      errorPolicy: 'stop',
      binlogReplay: 'auto',
      skipPrechecks: [],
      systemSchema: '_ferry',
      epoch: 0,
      retry: { initialDelayMs: 1000, maxDelayMs: 60000 },
      liveness: { heartbeatMs: 1000, sourceSilenceMs: 5000, targetStatementMs: 120000 },
      pipe: { compression: 'brotli-1' },
    });
    expect(pipeline.from).toBeUndefined();
    expect(pipeline.hook).toBeUndefined();
    expect(resolvePipeline({ ...minimal, target: { host: 'tgt', user: 'u' } }).target).toEqual({ host: 'tgt', port: 3306, user: 'u', password: '' });
  });

  it('does not change the spec it was given', () => {
    const spec = { ...minimal, batch: {} };
    resolvePipeline(spec);
    expect(spec).toEqual({ ...minimal, batch: {} });
  });

  it('builds the quick form from URLs and a comma-separated table list', () => {
    const pipeline = pipelineFromQuickForm({ source: 'mysql://u:p@10.0.0.1:3306', target: 'mysql://u:p@10.0.0.2', tables: 'db.tbl, db2.* ,', from: '0-1-100' });
    expect(pipeline.name).toBe('10.0.0.1-3306-to-10.0.0.2-3306');
    expect(pipeline.tables).toEqual([{ source: 'db.tbl' }, { source: 'db2.*' }]);
    expect(pipeline.from).toEqual({ kind: 'gtid', flavor: 'mariadb', gtidSet: '0-1-100' });
    expect(pipeline.mapping.mapTable('db2', 'anything')).toBeDefined();
    expect(pipeline.mapping.mapTable('db', 'other')).toBeUndefined();
    expect(pipelineFromQuickForm({ ...minimal, tables: ['a.b'], name: 'mine', parallel: 1 })).toMatchObject({ name: 'mine', parallel: 1 });
    expect(configError(() => pipelineFromQuickForm({ ...minimal, tables: ' , ' })).errors).toEqual([{ path: '/tables', message: 'must list at least 1' }]);
  });

  it('derives a stable serverId from the name, inside the documented range', () => {
    const ids = ['a', 'b', 'orders', 'src-3306-to-tgt-3307', 'x'.repeat(64)].map(defaultServerId);
    for (const id of ids) {
      expect(id).toBeGreaterThanOrEqual(SERVER_ID_RANGE.min);
      expect(id).toBeLessThanOrEqual(SERVER_ID_RANGE.max);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(defaultServerId('orders')).toBe(defaultServerId('orders'));
    expect(resolvePipeline({ ...minimal, name: 'orders' }).serverId).toBe(defaultServerId('orders'));
    expect(resolvePipeline({ ...minimal, serverId: 7 }).serverId).toBe(7);
  });

  it('derives a valid name from any host, shortening long ones', () => {
    expect(defaultPipelineName({ host: '::1', port: 3306 }, { host: 'DB2.example.com', port: 1 })).toBe('1-3306-to-db2.example.com-1');
    const long = defaultPipelineName({ host: 'a'.repeat(60), port: 3306 }, { host: 'b'.repeat(60), port: 3306 });
    expect(long).toMatch(/^[a-z0-9][a-z0-9_.-]{0,63}$/);
    expect(long).not.toBe(defaultPipelineName({ host: 'a'.repeat(60), port: 3306 }, { host: 'c'.repeat(60), port: 3306 }));
  });

  it('reads passwordEnv from the environment', () => {
    const target = { host: 'tgt', user: 'u', passwordEnv: 'TGT_PW' };
    expect(resolvePipeline({ ...minimal, target }, { env: { TGT_PW: 'from-env' } }).target.password).toBe('from-env');
    expect(configError(() => resolvePipeline({ ...minimal, target }, { env: {} })).errors).toEqual([{ path: '/target/passwordEnv', message: 'environment variable TGT_PW is not set' }]);
    expect(configError(() => resolvePipeline({ ...minimal, target: { ...target, password: 'x' } }, { env: { TGT_PW: 'y' } })).errors[0]!.message).toMatch(/not both/);
  });

  it('resolves the hook against baseDir, or the working directory', () => {
    expect(resolvePipeline({ ...minimal, hook: 'h.js' }, { baseDir: '/etc/ferry' }).hook).toBe('/etc/ferry/h.js');
    expect(resolvePipeline({ ...minimal, hook: '/opt/h.js' }, { baseDir: '/etc/ferry' }).hook).toBe('/opt/h.js');
    expect(resolvePipeline({ ...minimal, hook: 'h.js' }).hook).toBe(join(process.cwd(), 'h.js'));
  });
});

describe('pipeline spec: from (start position)', () => {
  it.each([
    ['0-1-100,1-1-5', { kind: 'gtid', flavor: 'mariadb', gtidSet: '0-1-100,1-1-5' }],
    ['gtid: 0-1-100 , 1-2-05', { kind: 'gtid', flavor: 'mariadb', gtidSet: '0-1-100,1-2-5' }],
    ['3E11FA47-71CA-11E1-9E33-C80AA9429562:1-10', { kind: 'gtid', flavor: 'mysql', gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10' }],
    ['3e11fa47-71ca-11e1-9e33-c80aa9429562:5', { kind: 'gtid', flavor: 'mysql', gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:5' }],
    ['3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:tag_a:1-3', {
      kind: 'gtid', flavor: 'mysql', gtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:tag_a:1-3',
    }],
    ['mysql-bin.000003:4', { kind: 'file', file: 'mysql-bin.000003', pos: 4 }],
    ['mariadb-bin.000120:123456', { kind: 'file', file: 'mariadb-bin.000120', pos: 123456 }],
    ['end', { kind: 'end' }],
    [' END ', { kind: 'end' }],
  ])('accepts %s', (from, position) => {
    expect(resolvePipeline({ ...minimal, from }).from).toEqual(position);
  });

  it.each([
    ['yesterday', /'yesterday' is not a GTID/],
    ['mysql-bin.000003:3', /positions start at 4/],
    ['0-1-100,0-2-200', /domain 0 appears twice/],
    ['0-1-100,3e11fa47-71ca-11e1-9e33-c80aa9429562:1', /mixes MariaDB and MySQL/],
    ['3e11fa47-71ca-11e1-9e33-c80aa9429562:10-5', /is not a GTID/],
    ['3e11fa47-71ca-11e1-9e33-c80aa9429562:0', /is not a GTID/],
    ['3e11fa47-71ca-11e1-9e33-c80aa9429562:tag', /is not a GTID/],
    ['0-1-100,', /empty element/],
    ['gtid:', /is empty/],
    ['gtid:mysql-bin.000003:4', /is not a GTID/],
    ['gtid:end', /is not a GTID/],
    ['4294967296-1-1', /out of range/],
  ])('refuses %s', (from, problem) => {
    const { errors } = configError(() => resolvePipeline({ ...minimal, from }));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('/from');
    expect(errors[0]!.message).toMatch(problem);
  });
});

describe('pipeline spec: invalid input', () => {
  it('refuses unknown keys at every level, suggesting the field meant', () => {
    const { errors } = configError(() => resolvePipeline({
      ...minimal, paralel: 2, batch: { max_rows: 5 }, target: { host: 'h', user: 'u', pasword: 'x' }, tables: [{ source: 'a.b', tagret: 'c.d' }],
    }));
    expect(errors).toEqual([
      { path: '/paralel', message: "unknown field 'paralel' (did you mean 'parallel'?)" },
      { path: '/target/pasword', message: "unknown field 'pasword' (did you mean 'password'?)" },
      { path: '/tables/0/tagret', message: "unknown field 'tagret' (did you mean 'target'?)" },
      { path: '/batch/max_rows', message: "unknown field 'max_rows' (did you mean 'maxRows'?)" },
    ]);
    expect(configError(() => resolvePipeline({ ...minimal, zzz: 1 })).errors[0]!.message).toMatch(/^unknown field 'zzz'; known fields: name, description, source, target, tables, from,/);
  });

  it('refuses a queue byte bound below the batch byte bound, and byte bounds under 1 KiB', () => {
    const below = configError(() => resolvePipeline({ ...minimal, batch: { maxBytes: 4_194_304 }, queue: { maxBytes: 1_048_576 } })).errors;
    expect(below).toEqual([{ path: '/queue/maxBytes', message: 'must be at least batch.maxBytes (4194304): a full batch has to fit in the queue' }]);
    const tiny = configError(() => resolvePipeline({ ...minimal, batch: { maxBytes: 10 } })).errors;
    expect(tiny.map((e) => e.path)).toEqual(['/batch/maxBytes']);
  });

  it('refuses a source silence bound under two heartbeat periods', () => {
    const errors = configError(() => resolvePipeline({ ...minimal, liveness: { heartbeatMs: 2_000, sourceSilenceMs: 3_000 } })).errors;
    expect(errors).toEqual([{ path: '/liveness/sourceSilenceMs', message: 'must be at least twice liveness.heartbeatMs (4000): one late heartbeat is no broken connection' }]);
    expect(resolvePipeline({ ...minimal, liveness: { heartbeatMs: 500, sourceSilenceMs: 1_000 } }).liveness).toEqual({ heartbeatMs: 500, sourceSilenceMs: 1_000, targetStatementMs: 120_000 });
  });

  it('reports every problem at once: schema, URL, rules, start position and cross-field checks', () => {
    const { error, errors } = configError(() => resolvePipeline({
      source: 'mysql://repl:TopSecret1@db1:70000',
      target: { host: 'db2', port: 0, user: 'u', password: 'TopSecret2' },
      tables: ['mysql.user', { source: 'shop.*', target: 'x_*.*' }, 42],
      from: 'nowhere',
      batch: { maxRows: 5000 },
      queue: { maxRows: 100 },
      retry: { initialDelayMs: 10, maxDelayMs: 5 },
      ddl: 'drop',
      errorPolicy: 'retry',
      parallel: 0,
      name: 'bad name',
      skipPrechecks: ['Bad Id'],
    }));
    expect(errors.map((e) => e.path).sort()).toEqual([
      '/ddl', '/errorPolicy', '/from', '/name', '/parallel', '/queue/maxRows', '/retry/maxDelayMs', '/skipPrechecks/0',
      '/source', '/tables/0', '/tables/1/target', '/tables/2', '/target/port',
    ]);
    expect(error.message).toMatch(/^invalid configuration: 13 problems: /);
    expect(errors.find((e) => e.path === '/ddl')!.message).toBe("must be one of 'stop', 'apply', 'ignore'");
    expect(errors.find((e) => e.path === '/tables/2')!.message).toBe('must be a string or an object');
    expect(errors.find((e) => e.path === '/queue/maxRows')!.message).toMatch(/at least batch\.maxRows \(5000\)/);
    expect(errors.find((e) => e.path === '/source')!.message).toMatch(/port that is not a number/);
    expect(errors.find((e) => e.path === '/name')!.message).toMatch(/^is not valid: Pipeline name: letters, digits/);
    const everything = JSON.stringify({ message: error.message, details: error.details, line: error.toLine() });
    expect(everything).not.toContain('TopSecret');
  });

  it('reports a missing required field once, and a source of the wrong type', () => {
    const { errors } = configError(() => resolvePipeline({ source: 5, tables: 'shop.*' }));
    expect(errors).toEqual([
      { path: '/target', message: 'is required' },
      { path: '/source', message: 'must be a string or an object' },
      { path: '/tables', message: 'expected array' },
    ]);
  });

  it('does not report a defaulted port as missing when another endpoint field is wrong', () => {
    const { errors } = configError(() => resolvePipeline({ ...minimal, source: { host: 'h', user: '' } }));
    expect(errors).toEqual([{ path: '/source/user', message: 'must not be empty' }]);
  });

  it('reports a field once when both the schema and a meaning check refuse it', () => {
    const { errors } = configError(() => resolvePipeline({ ...minimal, from: '', queue: { maxRows: 0 } }));
    expect(errors).toEqual([
      { path: '/from', message: 'must not be empty' },
      { path: '/queue/maxRows', message: 'expected integer to be greater or equal to 1' },
    ]);
  });

  it('checks the host of an endpoint object', () => {
    expect(configError(() => resolvePipeline({ ...minimal, source: { host: 'db1:3306', user: 'u' } })).errors).toEqual([
      { path: '/source/host', message: 'is not a valid host name or address (give the port in port, and IPv6 without brackets)' },
    ]);
    expect(resolvePipeline({ ...minimal, source: { host: 'fe80::1', user: 'u' } }).source.host).toBe('fe80::1');
  });

  it('refuses a spec that is not an object', () => {
    for (const spec of [null, 'mysql://u@h', ['a']]) {
      expect(configError(() => resolvePipeline(spec)).errors).toEqual([{ path: '', message: 'must be an object of pipeline fields (source, target, tables, ...)' }]);
    }
  });
});

describe('pipeline files', () => {
  it('gives the line of each problem and names the file', async () => {
    const path = writeConfig('bad.yaml', [
      'source: mysql://u:p@h:3306', // 1
      'target: mysql://u:p@h2',      // 2
      'tables:',                     // 3
      '  - shop.*',                  // 4
      '  - source: shop.orders',     // 5
      'batch:',                      // 6
      '  maxRows: -1',               // 7
      '  extra: true',               // 8
      '',
    ].join('\n'));
    const { error, errors } = await configErrorAsync(() => loadPipelineFile(path));
    expect(errors.slice(0, 2)).toEqual([
      { path: '/batch/extra', message: "unknown field 'extra'; known fields: maxRows, maxDelayMs, maxBytes", line: 8 },
      { path: '/batch/maxRows', message: 'expected integer to be greater or equal to 1', line: 7 },
    ]);
    expect(errors[2]).toMatchObject({ path: '/tables/1/source', line: 5 });
    expect(errors[2]!.message).toMatch(/^never used: tables\[0\]/);
    expect(errors).toHaveLength(3);
    expect(error.details.file).toBe(path);
    expect(error.message).toContain(`${path}: 3 problems: line 8 /batch/extra: unknown field`);
  });

  it('lets command-line overrides replace top-level fields', async () => {
    const path = writeConfig('override.yaml', 'source: mysql://u:p@h\ntarget: mysql://u:p@h2\ntables: [a.b]\nfrom: 0-1-1\n');
    const pipeline = await loadPipelineFile(path, { overrides: { from: 'mysql-bin.000009:120', parallel: 2 } });
    expect(pipeline).toMatchObject({ from: { kind: 'file', file: 'mysql-bin.000009', pos: 120 }, parallel: 2 });
  });

  it('accepts JSON', async () => {
    const path = writeConfig('p.json', JSON.stringify(minimal));
    expect((await loadPipelineFile(path)).name).toBe('src-3306-to-tgt-3307');
  });

  it.each([
    ['missing.yaml', undefined, /ENOENT/],
    ['syntax.yaml', 'source: [unclosed\n', /./],
    ['dupe.yaml', 'parallel: 1\nparallel: 2\n', /unique/i],
    ['empty.yaml', '# nothing\n', /the file is empty/],
  ])('refuses an unreadable file (%s) with FERRY_ERR_CONFIG_FILE', async (name, text, detail) => {
    const path = text === undefined ? join(dir, name) : writeConfig(name, text);
    const error = await loadPipelineFile(path).then(() => undefined, (e: unknown) => e);
    expect(isFerryError(error, 'FERRY_ERR_CONFIG_FILE')).toBe(true);
    expect((error as FerryError).details.path).toBe(path);
    expect(String((error as FerryError).details.detail)).toMatch(detail);
  });

  it('loads the documented example, which shows every field', async () => {
    const example = join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'pipeline.yaml');
    const pipeline = await loadPipelineFile(example, { env: { FERRY_TARGET_PASSWORD: 'pw' } });
    expect(pipeline.name).toBe('orders-to-reporting');
    expect(pipeline.target.password).toBe('pw');
    expect(pipeline.mapping.mapTable('shop_eu', 'orders')?.target).toEqual({ schema: 'shop', table: 'orders' });
  }, 10_000);
});
