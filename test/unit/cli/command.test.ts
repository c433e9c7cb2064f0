import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs, positiveInt } from '../../../cli/command.ts';
import { managerCommand } from '../../../cli/manager-command.ts';
import { runCommand } from '../../../cli/run-command.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { zkConnectStringProblem } from '../../../shared/zk/connect-string.ts';

const context = { log: silentLogger(), out: () => undefined };

/** The usage error a command line gives, without connecting anywhere. */
async function usageOf(command: typeof runCommand, argv: string[]): Promise<{ code: string; message: string }> {
  try {
    await command.run(argv, context);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the command line was accepted');
}

describe('command-line parsing', () => {
  it('refuses unknown options with a usage error', () => {
    expect(() => parseCommandArgs(['--nope'], { known: { type: 'string' } })).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE' }));
  });

  it('reads whole positive numbers and names the flag when one is wrong', () => {
    expect(positiveInt(undefined, '--n', 7)).toBe(7);
    expect(positiveInt('3', '--n', 7)).toBe(3);
    expect(() => positiveInt('0', '--n', 7)).toThrow(/--n takes a whole number above 0, got '0'/);
    expect(() => positiveInt('2.5', '--n', 7)).toThrow(/--n/);
  });

  it('reports every bad flag at once, not only the first', () => {
    const options = { name: { type: 'string' }, help: { type: 'boolean' } } as const;
    expect(() => parseCommandArgs(['--nope', '--help=yes', 'stray', '--also', '--name'], options)).toThrow(
      "unknown option '--nope'; option '--help' takes no value; unexpected argument 'stray'; unknown option '--also'; option '--name' needs a value",
    );
    expect(() => parseCommandArgs(['--name', '--help'], options)).toThrow("option '--name' needs a value, got the option '--help'");
  });

  it('reports unknown flags together with bad values, in Ferry words for a negative number', async () => {
    const error = await usageOf(runCommand, ['--parallel', '-1', '--batch-rows', '0', '--bogus', 'x', '--progress-seconds', 'soon']);
    expect(error.code).toBe('FERRY_ERR_CLI_USAGE');
    expect(error.message.split('; ')).toEqual([
      "unknown option '--bogus'",
      "--parallel takes a whole number above 0, got '-1'",
      "--batch-rows takes a whole number above 0, got '0'",
      "--progress-seconds takes a whole number above 0, got 'soon'",
      'give --config FILE, or all of --source, --target and --tables',
    ]);
  });

  it('refuses a malformed --zk at once, with the other manager flags', async () => {
    const error = await usageOf(managerCommand, ['--zk', 'zk1:2181;zk2', '--port', 'x', '--admin-token', 'short', '--protection-period', '90']);
    expect(error.code).toBe('FERRY_ERR_CLI_USAGE');
    expect(error.message.split('; ')).toEqual([
      "--zk takes host:port[,host:port...][/chroot]",
      "'zk1:2181;zk2' is not host:port",
      'the admin token must be at least 8 characters',
      "--port takes 0..65535, got 'x'",
      "--protection-period takes a duration with a unit such as 90s, 500ms or 2m, got '90'",
    ]);
  });

  it('checks ZooKeeper connection strings', () => {
    for (const good of ['127.0.0.1:2181', 'zk1:2181,zk2.example.com:2182/ferry', '[::1]:2181/a/b']) expect(zkConnectStringProblem(good), good).toBeUndefined();
    for (const bad of ['', 'zk1', 'zk1:0', 'zk1:70000', 'zk1:2181,', 'zk 1:2181', 'zk1:2181/', 'zk1:2181//x', '/ferry', 'mysql://zk1:2181']) {
      expect(zkConnectStringProblem(bad), bad).toBeTypeOf('string');
    }
  });

  it('names the address when the manager port is taken, instead of reporting a bug', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await usageOf(managerCommand, ['--zk', '127.0.0.1:1', '--port', String(port), '--admin-token', 'long-enough-token', '--zk-insecure']);
      expect(error).toMatchObject({ code: 'FERRY_ERR_MANAGER_LISTEN', details: { host: '127.0.0.1', port, detail: 'the port is in use' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
