import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AlarmWebhook, type Alarm, type AlarmWebhookOptions } from '../../../manager/alarms/index.ts';
import { waitFor } from '../../../services/index.ts';

/** A real receiver on loopback; `answer` decides each response (n counts from 1). */
async function receiver(answer: (res: ServerResponse, n: number) => void) {
  const bodies: unknown[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      headers.push(req.headers);
      answer(res, bodies.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token?key=s3cret`, bodies, headers };
}

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines, warnings: () => lines.filter((line) => line.level === 40) };
}

const alarm = (id: string): Alarm => ({ id, rule: 'lag', pipeline: 'p1', channel: 'c1', severity: 'warning', message: 'lag 90 s', value: 90_000 });

function webhook(url: string, log: AlarmWebhookOptions['log'], options: Partial<AlarmWebhookOptions> = {}) {
  const hook = new AlarmWebhook({ url, log, backoffMs: 20, ...options });
  onTestFinished(() => hook.close());
  return hook;
}

describe('alarm webhook', () => {
  it('POSTs {alarm, state} as JSON, in order', async () => {
    const target = await receiver((res) => res.writeHead(204).end());
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log);
    hook.send(alarm('lag:p1'), 'raised');
    hook.send(alarm('lag:p1'), 'cleared');
    await hook.idle();
    expect(target.bodies).toEqual([{ alarm: alarm('lag:p1'), state: 'raised' }, { alarm: alarm('lag:p1'), state: 'cleared' }]);
    expect(target.headers[0]!['content-type']).toBe('application/json');
    expect(warnings()).toEqual([]);
  });

  it('retries with back-off until the receiver answers 2xx', async () => {
    const target = await receiver((res, n) => res.writeHead(n < 3 ? 503 : 200).end());
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log);
    hook.send(alarm('lag:p1'), 'raised');
    await hook.idle();
    expect(target.bodies).toHaveLength(3);
    expect(warnings()).toEqual([]);
  });

  it('gives up after 3 retries with FERRY_ERR_WEBHOOK_FAILED, logging no secret of the URL', async () => {
    const target = await receiver((res) => res.writeHead(500).end());
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log);
    hook.send(alarm('lag:p1'), 'raised');
    await hook.idle();
    expect(target.bodies).toHaveLength(4);
    expect(warnings()).toEqual([expect.objectContaining({ code: 'FERRY_ERR_WEBHOOK_FAILED', alarm: 'lag:p1', state: 'raised', attempts: 4, detail: 'HTTP 500' })]);
    expect(JSON.stringify(warnings())).not.toContain('s3cret');
    expect(JSON.stringify(warnings())).not.toContain('secret-token');
  });

  it('does not retry a request the receiver calls wrong (4xx)', async () => {
    const target = await receiver((res) => res.writeHead(400).end());
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log);
    hook.send(alarm('lag:p1'), 'raised');
    await hook.idle();
    expect(target.bodies).toHaveLength(1);
    expect(warnings()).toEqual([expect.objectContaining({ code: 'FERRY_ERR_WEBHOOK_FAILED', attempts: 1, detail: 'HTTP 400' })]);
  });

  it('times out a receiver that never answers', async () => {
    const target = await receiver(() => undefined);
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log, { timeoutMs: 300, retries: 1 });
    hook.send(alarm('lag:p1'), 'raised');
    await hook.idle(); // a receiver that never answers would hang here without the timeout
    expect(target.bodies).toHaveLength(2);
    expect(warnings()).toEqual([expect.objectContaining({ code: 'FERRY_ERR_WEBHOOK_FAILED', attempts: 2, detail: expect.stringMatching(/timeout/i) as string })]);
  });

  it('never blocks the caller: a full queue drops the oldest delivery with a warning', async () => {
    const held: ServerResponse[] = [];
    const target = await receiver((res) => held.push(res));
    const { log, warnings } = capturingLog();
    const hook = webhook(target.url, log, { maxQueue: 2, timeoutMs: 60_000 });
    hook.send(alarm('a1'), 'raised');
    expect(await waitFor(() => held.length === 1, 10_000)).toBe(true); // a1 is in flight, the receiver holds it
    // send() returns nothing to wait for: the caller goes on at once, whatever the receiver does.
    for (const id of ['a2', 'a3', 'a4', 'a5']) expect(hook.send(alarm(id), 'raised')).toBeUndefined();
    expect(hook.pending).toBe(3);
    expect(warnings().map((line) => line.alarm)).toEqual(['a2', 'a3']);
    expect(warnings()[0]).toMatchObject({ code: 'FERRY_ERR_WEBHOOK_FAILED', maxQueue: 2 });
    // Answer each held request as it arrives.
    const answering = setInterval(() => held.splice(0).forEach((res) => res.writeHead(204).end()), 20);
    onTestFinished(() => clearInterval(answering));
    await hook.idle();
    expect(target.bodies.map((body) => (body as { alarm: Alarm }).alarm.id)).toEqual(['a1', 'a4', 'a5']);
  });
});
