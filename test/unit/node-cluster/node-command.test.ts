import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../../cli/node-command.ts';
import { silentLogger } from '../../../shared/logging.ts';

const context = () => {
  const lines: string[] = [];
  return { lines, context: { log: silentLogger(), out: (line: string) => lines.push(line) } };
};

describe('bin/ferry node flags', () => {
  it('prints its usage on --help', async () => {
    const { lines, context: ctx } = context();
    expect(await nodeCommand.run(['--help'], ctx)).toBe(0);
    expect(lines.join('\n')).toContain('--zk CONNECT');
  });

  it('refuses bad flags with every problem in one usage error', async () => {
    const { context: ctx } = context();
    const run = nodeCommand.run(['--zk', 'localhost', '--id', 'bad/id', '--capacity', '0', '--manager', 'ftp://m'], ctx);
    await expect(run).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
    const message = await run.catch((error: Error) => error.message);
    for (const part of ['--zk takes host:port', '--id takes letters', '--dc is required', '--capacity takes a whole number', '--manager takes an http(s) URL']) expect(message).toContain(part);
  });

  it('refuses unknown flags', async () => {
    const { context: ctx } = context();
    await expect(nodeCommand.run(['--zk', '127.0.0.1:2181', '--id', 'n1', '--dc', 'dc1', '--capcity', '3'], ctx)).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
  });

  it('reports unknown flags together with bad values', async () => {
    const { context: ctx } = context();
    const message = await nodeCommand.run(['--zk', 'zk1:2181;zk2', '--id', 'n1', '--dc', 'dc1', '--capcity', '3', '--max-restarts', '-1'], ctx).catch((error: Error) => error.message);
    for (const part of ["unknown option '--capcity'", '--zk takes host:port', "--max-restarts takes a whole number above 0, got '-1'"]) expect(message).toContain(part);
  });
});
