import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { nodeCommand } from '../../../cli/node-command.ts';
import { runCommand } from '../../../cli/run-command.ts';
import { managerCommand } from '../../../cli/manager-command.ts';
import { metricsListenFromFlags } from '../../../cli/metrics-flags.ts';
import { silentLogger } from '../../../shared/logging.ts';

const context = { log: silentLogger(), out: () => undefined };
// Nothing listens on port 1: a command that got past its flags would fail otherwise.
const node = (...extra: string[]) => nodeCommand.run(['--zk', '127.0.0.1:1', '--id', 'n1', '--dc', 'dc1', '--zk-insecure', ...extra], context);
const run = (...extra: string[]) => runCommand.run(['--source', 'mysql://u:p@127.0.0.1:1', '--target', 'mysql://u:p@127.0.0.1:1', '--tables', 'db.t', ...extra], context);

describe('--metrics-port and --metrics-host', () => {
  it('default to no endpoint, and to 127.0.0.1 with a port', () => {
    expect(metricsListenFromFlags({})).toBeUndefined();
    expect(metricsListenFromFlags({ 'metrics-port': '9464' })).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(metricsListenFromFlags({ 'metrics-port': '0', 'metrics-host': '0.0.0.0' })).toEqual({ host: '0.0.0.0', port: 0 });
  });

  it('a node and bin/ferry run refuse a bad port, or a host without a port, with a usage error naming the flag', async () => {
    for (const command of [node, run]) {
      await expect(command('--metrics-port', '70000')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining("--metrics-port takes a port number 0-65535, got '70000'") as string });
      await expect(command('--metrics-port', 'nine')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--metrics-port') as string });
      await expect(command('--metrics-host', '0.0.0.0')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--metrics-host needs --metrics-port') as string });
    }
  });

  it('a port in use stops a node or a run at start with FERRY_ERR_METRICS_LISTEN', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const port = String((busy.address() as AddressInfo).port);
    await expect(node('--metrics-port', port)).rejects.toMatchObject({ code: 'FERRY_ERR_METRICS_LISTEN' });
    await expect(run('--metrics-port', port)).rejects.toMatchObject({ code: 'FERRY_ERR_METRICS_LISTEN' });
  });

  it('each command\'s usage names its metrics flags', () => {
    for (const command of [nodeCommand, runCommand]) {
      expect(command.usage).toContain('--metrics-port N');
      expect(command.usage).toContain('--metrics-host HOST');
    }
    expect(managerCommand.usage).toContain('--metrics-public');
  });
});
