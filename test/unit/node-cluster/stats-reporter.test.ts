import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { managerOrder, STATS_PATH, statsRecord, StatsReporter, type HttpPost } from '../../../node/cluster/index.ts';
import { httpPost } from '../../../node/cluster/stats-reporter.ts';
import { HttpClient } from '../../../shared/http/http-client.ts';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { FerryError } from '../../../shared/errors/index.ts';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('stats records', () => {
  it('formats a running pipeline: GTID set, else file:pos', () => {
    const status = { state: 'running' as const, position: { file: 'mysql-bin.000002', pos: 1234, gtidSet: '0-1-42' }, lagMs: 15, applyDelayMs: 2, rowsPerSecond: 120, rowsApplied: 5, transactionsApplied: 1 };
    expect(statsRecord({ pipeline: 'p1', node: 'n1', epoch: 3, status, now })).toEqual({ pipeline: 'p1', node: 'n1', epoch: 3, state: 'running', position: '0-1-42', lagMs: 15, rowsPerSecond: 120, at: '2026-03-01T12:00:00.000Z' });
    const byFile = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 3, status: { ...status, position: { file: 'mysql-bin.000002', pos: 1234 } }, now });
    expect(byFile.position).toBe('mysql-bin.000002:1234');
    const starting = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 3, status: { ...status, state: 'starting', position: undefined }, now });
    expect(starting).toMatchObject({ state: 'starting', position: null });
  });

  it('carries the error of a failed pipeline', () => {
    const record = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 1, state: 'failed', error: { code: 'FERRY_ERR_FENCED', message: 'fenced' }, now });
    expect(record).toEqual({ pipeline: 'p1', node: 'n1', epoch: 1, state: 'failed', position: null, lagMs: null, rowsPerSecond: 0, error: { code: 'FERRY_ERR_FENCED', message: 'fenced' }, at: '2026-03-01T12:00:00.000Z' });
  });
});

describe('StatsReporter', () => {
  const record: PipelineStatsRecord = { pipeline: 'p1', node: 'n1', epoch: 1, state: 'running', position: '0-1-1', lagMs: 0, rowsPerSecond: 0, at: now.toISOString() };

  function reporter(answers: Record<string, number | 'down'>, registered: () => Promise<string[]>, staticManagers: string[] = []) {
    const calls: Array<{ url: string; body: unknown; headers: Record<string, string> }> = [];
    const warnings: Array<Record<string, unknown>> = [];
    const post: HttpPost = (url, body, headers) => {
      calls.push({ url, body: JSON.parse(body), headers });
      const answer = answers[url.slice(0, -STATS_PATH.length)];
      return answer === 'down' || answer === undefined ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(answer);
    };
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
    const stats = new StatsReporter({ nodeId: 'n1', token: 'tok', staticManagers, listManagers: registered, collect: () => [record], post, log });
    return { stats, calls, warnings };
  }

  it('orders the manager that answered last first, then registered ones, then static ones', () => {
    expect(managerOrder(['http://m1/', 'http://m2'], ['http://m3', 'http://m1'])).toEqual(['http://m1', 'http://m2', 'http://m3']);
    expect(managerOrder(['http://m1', 'http://m2'], ['http://m3'], 'http://m3')).toEqual(['http://m3', 'http://m1', 'http://m2']);
    expect(managerOrder(['http://m1'], [], 'http://gone')).toEqual(['http://m1']);
  });

  it('posts to the first manager that answers, with the bearer token and the stats body', async () => {
    const { stats, calls } = reporter({ 'http://m1': 500, 'http://m2': 204 }, () => Promise.resolve(['http://m1', 'http://m2']));
    expect(await stats.reportOnce()).toBe('http://m2');
    expect(calls.map((c) => c.url)).toEqual([`http://m1${STATS_PATH}`, `http://m2${STATS_PATH}`]);
    expect(calls[1]!.headers.authorization).toBe('Bearer tok');
    expect(calls[1]!.body).toEqual({ node: 'n1', stats: [record] });
    // Next time the one that answered goes first.
    expect(await stats.reportOnce()).toBe('http://m2');
    expect(calls.slice(2).map((c) => c.url)).toEqual([`http://m2${STATS_PATH}`]);
  });

  it('says once per manager, with its code, that its TLS failed, while another manager takes the stats', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line) as Record<string, unknown>) });
    const post: HttpPost = (url) => (url.startsWith('https://bad')
      ? Promise.reject(new FerryError('FERRY_ERR_API_TLS_REFUSED', { url: 'https://bad', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate' }))
      : Promise.resolve(204));
    const stats = new StatsReporter({ nodeId: 'n1', token: 'tok', staticManagers: [], listManagers: () => Promise.resolve(['https://bad', 'https://good']), collect: () => [record], post, log });
    expect(await stats.reportOnce()).toBe('https://good');
    // The manager that answered goes first now; the refused one is still tried when it fails.
    expect(await stats.reportOnce()).toBe('https://good');
    expect(warnings).toEqual([expect.objectContaining({ code: 'FERRY_ERR_API_TLS_REFUSED', manager: 'https://bad' })]);
  });

  it('warns once when no manager answers, keeps the last manager list when ZooKeeper is away, and recovers', async () => {
    const answers: Record<string, number | 'down'> = { 'http://m1': 'down', 'http://static': 503 };
    let zkUp = true;
    const { stats, calls, warnings } = reporter(answers, () => (zkUp ? Promise.resolve(['http://m1']) : Promise.reject(new Error('no session'))), ['http://static']);
    expect(await stats.reportOnce()).toBeUndefined();
    zkUp = false;
    expect(await stats.reportOnce()).toBeUndefined();
    expect(calls.map((c) => c.url)).toEqual([`http://m1${STATS_PATH}`, `http://static${STATS_PATH}`, `http://m1${STATS_PATH}`, `http://static${STATS_PATH}`]);
    expect(warnings.map((w) => w.code)).toEqual(['FERRY_ERR_MANAGERS_UNREACHABLE']);
    answers['http://m1'] = 204;
    expect(await stats.reportOnce()).toBe('http://m1');
  });
});

describe('httpPost', () => {
  it('says why a manager refused the report: the code and message of its answer', async () => {
    const refusal = { code: 'FERRY_ERR_API_NODE_TOKEN_UNBOUND', message: 'node token old-nodes names no node', workaround: 'create one per node', details: {} };
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(request.url === '/refuse' ? 403 : 204, { 'content-type': 'application/json' }).end(request.url === '/refuse' ? JSON.stringify(refusal) : undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new HttpClient();
    const post = httpPost(client);
    try {
      await expect(post(`${base}/refuse`, '{}', {}, 60_000)).rejects.toThrow('HTTP 403 FERRY_ERR_API_NODE_TOKEN_UNBOUND: node token old-nodes names no node');
      expect(await post(`${base}/ok`, '{}', {}, 60_000)).toBe(204);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
