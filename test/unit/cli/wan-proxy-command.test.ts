import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { wanProxyCommand } from '../../../cli/wan-proxy-command.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { FERRY_BIN } from '../../support/cli.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { collect, connect, echo, testServer } from '../services/sockets.ts';

const WAIT = { timeout: 120_000, interval: 50 };

interface StatsLine {
  listen: string;
  state: string;
  up: { bytes: number; delayMs: number; rateMbit: number | null };
  down: { bytes: number };
  connections: { accepted: number };
}

/** The JSON lines the command printed on stdout. */
function statsLines(output: string): StatsLine[] {
  return output.split('\n').filter((line) => line.startsWith('{"listen"')).map((line) => JSON.parse(line) as StatsLine);
}

describe('bin/ferry wan-proxy', () => {
  it('refuses bad flags with every problem in one usage error', async () => {
    const run = wanProxyCommand.run(['--listen', 'nowhere', '--delay-ms', '-5', '--rate-mbit', '0', '--buffer-kib', '64', '--capcity', '1'], { log: silentLogger(), out: () => undefined });
    await expect(run).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
    const message = await run.catch((error: Error) => error.message);
    for (const part of ['--to is required', "--listen takes HOST:PORT", "--delay-ms takes a whole number of ms", "--rate-mbit takes a number above 0", '--buffer-kib takes 128 or more', "unknown option '--capcity'"]) expect(message).toContain(part);
  });

  it('names the address it cannot listen on', async () => {
    const taken = await testServer();
    const run = wanProxyCommand.run(['--to', '127.0.0.1:9', '--listen', `127.0.0.1:${taken.port}`], { log: silentLogger(), out: () => undefined });
    await expect(run).rejects.toMatchObject({ code: 'FERRY_ERR_WAN_PROXY_LISTEN', details: { address: `127.0.0.1:${taken.port}`, detail: 'EADDRINUSE' } });
  });

  it('forwards through the link it emulates, prints its counters on SIGUSR1 and stops on SIGTERM', async () => {
    const server = await testServer(echo);
    const proxy = startFerry(['wan-proxy', '--to', `127.0.0.1:${server.port}`, '--delay-ms', '20', '--rate-mbit', '8']);
    await expect.poll(() => statsLines(proxy.output()).length, WAIT).toBeGreaterThan(0);
    const [first] = statsLines(proxy.output());
    expect(first).toMatchObject({ up: { delayMs: 20, rateMbit: 8, bytes: 0 }, connections: { accepted: 0 } });

    const client = await connect(Number(first!.listen.split(':').at(-1)));
    const received = collect(client);
    client.write('through the wan');
    await received.until(15);
    expect(received.data().toString()).toBe('through the wan');

    proxy.child.kill('SIGUSR1');
    await expect.poll(() => statsLines(proxy.output()).length, WAIT).toBe(2);
    expect(statsLines(proxy.output())[1]).toMatchObject({ up: { bytes: 15 }, down: { bytes: 15 }, connections: { accepted: 1 } });

    proxy.child.kill('SIGTERM');
    expect(await proxy.exited).toBe(0);
    expect(statsLines(proxy.output()).at(-1)).toMatchObject({ listen: first!.listen, up: { bytes: 15 } });
  });

  it('takes runtime changes on stdin: a new delay applies to the open connection, blackhole and heal', async () => {
    const server = await testServer(echo);
    const child = spawn(FERRY_BIN, ['wan-proxy', '--to', `127.0.0.1:${server.port}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    onTestFinished(() => void child.kill('SIGKILL'));
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const answers = () => output.split('\n').filter((line) => line.startsWith('{"ok"') || line.startsWith('{"error"'));
    await expect.poll(() => statsLines(output).length, WAIT).toBe(1);
    const client = await connect(Number(statsLines(output)[0]!.listen.split(':').at(-1)));
    const received = collect(client);

    child.stdin.write('delay 200\nrate fast\n');
    await expect.poll(() => answers().length, WAIT).toBe(2);
    expect(answers()[1]).toContain('rate takes Mbit/s');
    const start = performance.now();
    client.write('ping');
    await received.until(4);
    expect(received.lastAt() - start).toBeGreaterThanOrEqual(400 - 0.5);

    child.stdin.write('delay 0\nblackhole\n');
    await expect.poll(() => answers().length, WAIT).toBe(4);
    client.write('held');
    child.stdin.write('stats\n');
    await expect.poll(() => statsLines(output).length, WAIT).toBe(2);
    expect(statsLines(output)[1]).toMatchObject({ state: 'blackholed', up: { bytes: 4 } });
    child.stdin.write('heal\n');
    await received.until(8);
    expect(received.data().toString()).toBe('pingheld');

    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
