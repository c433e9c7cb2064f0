import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ManagerRecord, PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { clusterFixture, waitForOutput } from './cluster-fixture.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: { node: string; stats: PipelineStatsRecord[] };
}

/** A stand-in manager: records every request and answers with `status()`. */
async function fakeManager(status: () => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) as Received['body'] });
      response.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, received };
}

describe('bin/ferry node: stats to a live manager', () => {
  it('posts stats with its token to a registered manager, and to the next one when it fails', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    let m1Status = 204;
    const m1 = await fakeManager(() => m1Status);
    const m2 = await fakeManager(() => 204);
    const register = (id: string, url: string) => cluster.admin.create(zkPaths.manager(id), JSON.stringify({ id, url, startedAt: new Date().toISOString() } satisfies ManagerRecord), 'ephemeral');
    await register('m1', m1.url);
    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1', ['--stats-seconds', '1']);
    await waitForOutput(node, '"msg":"pipeline starting"');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 30, seed: 31 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // A report after the convergence carries the pipeline's committed position.
    const reported = () => m1.received.find((r) => r.body.stats.some((s) => s.pipeline === cluster.pipeline && s.state === 'running' && s.position !== null));
    await expect.poll(reported, { timeout: 120_000 }).toBeDefined();
    const report = reported()!;
    expect(report.path).toBe('/api/v1/internal/stats');
    expect(report.headers.authorization).toBe('Bearer node-token');
    expect(report.body.node).toBe('n1');
    expect(report.body.stats[0]).toMatchObject({ pipeline: cluster.pipeline, node: 'n1', epoch: 1, lagMs: expect.any(Number) as number, rowsPerSecond: expect.any(Number) as number });
    expect(report.body.stats[0]!.position).toMatch(/^\d+-\d+-\d+/);

    await register('m2', m2.url);
    m1Status = 500;
    const atFailover = m1.received.length;
    await expect.poll(() => m2.received.length, { timeout: 120_000 }).toBeGreaterThan(0);
    expect(m2.received[0]!.headers.authorization).toBe('Bearer node-token');
    expect(m1.received.length).toBeGreaterThan(atFailover);
    // (A round that listed the managers before m2 registered may still miss: harmless, and
    // timing-dependent, so the test does not look at the log for it.)
  });
});
