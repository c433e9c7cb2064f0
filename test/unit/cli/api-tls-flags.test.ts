import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { managerCommand } from '../../../cli/manager-command.ts';
import { nodeCommand } from '../../../cli/node-command.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

const context = { log: silentLogger(), out: () => undefined };
// Nothing listens on port 1: a command that got as far as connecting would fail otherwise.
const manager = (...extra: string[]) => managerCommand.run(['--zk', '127.0.0.1:1', '--port', '0', '--admin-token', 'a-long-enough-token', '--zk-insecure', ...extra], context);
const node = (...extra: string[]) => nodeCommand.run(['--zk', '127.0.0.1:1', '--id', 'n1', '--dc', 'dc1', ...extra], context);

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

describe('TLS flags of the manager and the node', () => {
  it('the manager takes --tls-cert and --tls-key together only', async () => {
    await expect(manager('--tls-cert', certs.cert)).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--tls-cert and --tls-key go together') as string });
    await expect(manager('--tls-key', certs.key)).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
  });

  it('the manager stops at start, before connecting, on a certificate file it cannot read or a key of another certificate', async () => {
    await expect(manager('--tls-cert', `${certs.dir}/missing.pem`, '--tls-key', certs.key)).rejects.toMatchObject({ code: 'FERRY_ERR_TLS_FILE_UNREADABLE', message: expect.stringContaining(`${certs.dir}/missing.pem of the manager`) as string });
    await expect(manager('--tls-cert', certs.cert, '--tls-key', certs.otherKey)).rejects.toMatchObject({ code: 'FERRY_ERR_TLS_FILE_INVALID' });
  });

  it('the node stops at start on a CA file it cannot read, from --ca or FERRY_CA_FILE', async () => {
    await expect(node('--ca', `${certs.dir}/missing-ca.pem`)).rejects.toMatchObject({ code: 'FERRY_ERR_TLS_FILE_UNREADABLE', message: expect.stringContaining(`CA file ${certs.dir}/missing-ca.pem of the node`) as string });
    vi.stubEnv('FERRY_CA_FILE', `${certs.dir}/env-ca.pem`);
    try {
      await expect(node()).rejects.toMatchObject({ code: 'FERRY_ERR_TLS_FILE_UNREADABLE', message: expect.stringContaining('env-ca.pem') as string });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('says the flags in --help', async () => {
    const lines: string[] = [];
    await managerCommand.run(['--help'], { ...context, out: (line) => lines.push(line) });
    await nodeCommand.run(['--help'], { ...context, out: (line) => lines.push(line) });
    for (const flag of ['--tls-cert FILE', '--tls-key FILE', '--ca FILE', 'FERRY_CA_FILE']) expect(lines.join('\n')).toContain(flag);
  });
});
