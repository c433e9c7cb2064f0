import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { PipelineView } from '../../../manager/index.ts';
import { WanProxy } from '../../../services/wan-proxy.ts';
import { testCluster, type TestCluster } from '../../support/cluster.ts';
import type { FerryProcess } from '../../support/ferry-process.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #13, done when: a pipeline whose source is in dc-a and target in dc-b runs split, its
 * select side on a dc-a node and its load side on a dc-b node, joined by the node-to-node pipe
 * through the project's WAN emulator; under a workload, a kill -9 of either node, a cut link
 * and a blackholed (half-open) link each end with identical tables, and a second node of the
 * same datacenter takes over a dead node's side. All real: `bin/ferry manager` and four
 * `bin/ferry node` processes, ZooKeeper, MariaDB.
 */

const DELAY_MS = 25;
/** The workload runs in rounds of this many transactions until stopped. */
const ROUND = 200;

interface SplitCluster extends TestCluster {
  /** The WAN link in front of each dc-b node's pipe port (what dc-a nodes dial). */
  links: Map<string, WanProxy>;
  /** Waits until the pipeline runs split (the view's stages), optionally with given nodes. */
  runningSplit(where?: { select?: string; load?: string; notSelect?: string; notLoad?: string }): Promise<PipelineView>;
}

/**
 * A manager; sa1, sa2 in dc-a; lb1, lb2 in dc-b, each dc-b node's pipe behind its own WanProxy.
 * `nodeArgs` adds flags per node (TLS files); `selectNodes` replaces the dc-a nodes.
 */
async function splitCluster(options: { nodeArgs?: (id: string) => string[]; selectNodes?: string[] } = {}): Promise<SplitCluster> {
  const cluster = await testCluster({ managers: 1, nodes: [], dcs: { source: 'dc-a', target: 'dc-b' }, managerArgs: ['--protection-period', '2s'] });
  await cluster.pair.onBoth(ITEMS_TABLE);
  const links = new Map<string, WanProxy>();
  const extra = options.nodeArgs ?? (() => []);
  for (const id of options.selectNodes ?? ['sa1', 'sa2']) await cluster.startNode(id, extra(id), 'dc-a');
  for (const id of ['lb1', 'lb2']) {
    const port = await unusedPort();
    const link = await WanProxy.start({ target: { host: '127.0.0.1', port }, delayMs: DELAY_MS });
    onTestFinished(() => link.close());
    links.set(id, link);
    await cluster.startNode(id, ['--pipe-listen', `127.0.0.1:${port}`, '--pipe-advertise', `127.0.0.1:${link.port}`, ...extra(id)], 'dc-b');
  }
  const runningSplit: SplitCluster['runningSplit'] = (where = {}) => eventually(async () => {
    const view = await cluster.pipelineView();
    const stages = view.stages;
    if (view.state !== 'running' || stages === null || stages.select.node === stages.load.node) return undefined;
    const { select, load } = stages;
    const placed = (where.select === undefined || select.node === where.select) && (where.load === undefined || load.node === where.load)
      && select.node !== where.notSelect && load.node !== where.notLoad;
    return placed ? view : undefined;
  }, 120_000, `the pipeline to run split ${JSON.stringify(where)}`);
  return { ...cluster, links, runningSplit };
}

/** A workload on the source that runs until stopped, so that every fault lands on a pipeline under load. */
interface Load {
  /** Stops after the round in progress; resolves with the transactions committed. */
  stop(): Promise<number>;
}

/** Starts the workload; resolves once the target holds some of it (the pipeline is carrying it). */
async function underLoad(cluster: SplitCluster, seed: number): Promise<Load> {
  const { pair } = cluster;
  let stopped = false;
  const writing = (async () => {
    let committed = 0;
    for (let round = 0; !stopped; round++) committed += await runMixedWorkload(pair.source.connection, pair.schema, { transactions: ROUND, seed: seed * 1000 + round });
    return committed;
  })();
  writing.catch(() => undefined);
  await eventually(async () => {
    const [rows] = await pair.target.connection.query(`SELECT COUNT(*) AS n FROM \`${pair.schema}\`.items`);
    return Number((rows as { n: number }[])[0]?.n) > 0 ? true : undefined;
  }, 120_000, 'the first rows on the target');
  return {
    stop: () => {
      stopped = true;
      return writing;
    },
  };
}

/** Rows written after the pipeline recovered too, then the workload stops and the tables must end identical. */
async function expectIdentical(cluster: SplitCluster, load: Load): Promise<void> {
  const [rows] = await cluster.pair.source.connection.query('SELECT @@global.gtid_binlog_pos AS pos');
  const before = String((rows as { pos: string }[])[0]?.pos);
  await eventually(async () => {
    const [now] = await cluster.pair.source.connection.query('SELECT @@global.gtid_binlog_pos AS pos');
    return String((now as { pos: string }[])[0]?.pos) !== before ? true : undefined;
  }, 60_000, 'more writes on the source');
  expect(await load.stop()).toBeGreaterThan(0);
  await expectTablesConverge(cluster.pair.source.connection, cluster.pair.target.connection, cluster.pair.schema, 'items', cluster.pair.schema, 300_000);
}

const nodeOf = (cluster: SplitCluster, id: string): FerryProcess => cluster.nodes.get(id)!;

describe('split pipelines across datacenters (real nodes, the pipe through the WAN emulator)', () => {
  it('runs select on a dc-a node and load on a dc-b node, only the pipe crossing, and the tables end identical', async () => {
    const cluster = await splitCluster();
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const view = await cluster.runningSplit();
    expect(view.stages?.select.dc).toBe('dc-a');
    expect(view.stages?.load.dc).toBe('dc-b');
    const load = await underLoad(cluster, 1301);
    // The load node reports its pipe while the select side is connected: the view shows it.
    const measured = await eventually(async () => {
      const { pipe } = await cluster.pipelineView();
      return pipe.wireBytesPerRow !== null && pipe.rttMs !== null ? pipe : undefined;
    }, 120_000, 'the pipe\'s figures in the view');
    expect(measured.wireBytesPerRow).toBeGreaterThan(0);
    expect(measured.compressionRatio).toBeGreaterThan(1);
    // The emulated link delays each way: the heartbeat's round trip cannot be shorter.
    expect(measured.rttMs).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(measured.inFlightBatches).toBeGreaterThanOrEqual(0);
    await expectIdentical(cluster, load);
    // The changes crossed the load node's WAN link: the pipe carried them.
    const link = cluster.links.get(view.stages!.load.node)!;
    expect(link.stats().up.bytes).toBeGreaterThan(10_000);
  });

  it.each(['select', 'load'] as const)('recovers from a kill -9 of the %s node under load; the other node of its datacenter takes the side over', async (side) => {
    const cluster = await splitCluster();
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const before = await cluster.runningSplit();
    const victim = before.stages![side].node;
    const load = await underLoad(cluster, side === 'select' ? 1302 : 1303);
    await nodeOf(cluster, victim).kill('SIGKILL');
    const after = await cluster.runningSplit(side === 'select' ? { notSelect: victim } : { notLoad: victim });
    expect(after.stages![side].node).not.toBe(victim);
    expect(after.stages![side].dc).toBe(side === 'select' ? 'dc-a' : 'dc-b');
    await expectIdentical(cluster, load);
  });

  it.each(['cut', 'blackhole'] as const)('recovers from a %s link under load (both sides fail to the arbiter, RESTART places them again)', async (fault) => {
    const cluster = await splitCluster();
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const before = await cluster.runningSplit();
    const link = cluster.links.get(before.stages!.load.node)!;
    const load = await underLoad(cluster, fault === 'cut' ? 1304 : 1305);
    link[fault]();
    // Heartbeats (cut: the reset) end the session on both sides; the RESTART raises the epoch.
    await eventually(async () => ((await cluster.pipelineView()).epoch ?? 0) > before.epoch! ? true : undefined, 120_000, 'a RESTART after the fault');
    link.heal();
    await cluster.runningSplit();
    await expectIdentical(cluster, load);
  });

  it('refuses across the pipe what the prechecks refuse (a table without a key): a WARNING names it, no checkpoint is written', async () => {
    const cluster = await splitCluster();
    await cluster.pair.onBoth('CREATE TABLE nokey (a INT, b INT)');
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await eventually(async () => {
      const events = await cluster.api.get<unknown>('/api/v1/events?channel=orders');
      return JSON.stringify(events.body).includes('FERRY_ERR_TABLE_NO_KEY') ? true : undefined;
    }, 120_000, 'a WARNING with FERRY_ERR_TABLE_NO_KEY');
    const [rows] = await cluster.pair.target.connection.query('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [cluster.pipeline]);
    expect(Number((rows as { n: number }[])[0]?.n)).toBe(0);
  });

  describe('with mutual TLS on the pipe', () => {
    let certs: TestCertificates;
    beforeAll(() => {
      certs = makeTestCertificates({ peers: true });
    });
    afterAll(() => certs.remove());
    const tls = (cert: string, key: string) => ['--pipe-tls-cert', cert, '--pipe-tls-key', key, '--pipe-ca', certs.ca];

    it('replicates split when every node holds a certificate of the cluster CA', async () => {
      const cluster = await splitCluster({ nodeArgs: () => tls(certs.peerCert, certs.peerKey) });
      expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
      await cluster.runningSplit();
      const load = await underLoad(cluster, 1306);
      await expectIdentical(cluster, load);
    });

    it('refuses a select node whose certificate another CA signed: nothing crosses, a WARNING names the refusal', async () => {
      const cluster = await splitCluster({ selectNodes: ['stranger'], nodeArgs: (id) => (id === 'stranger' ? tls(certs.strangerCert, certs.strangerKey) : tls(certs.peerCert, certs.peerKey)) });
      expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
      await cluster.pair.source.connection.query(`INSERT INTO \`${cluster.pair.schema}\`.items VALUES (1, 'one', 1, NULL, NOW(6))`);
      await eventually(async () => {
        const events = await cluster.api.get<unknown>('/api/v1/events?channel=orders');
        return JSON.stringify(events.body).includes('FERRY_ERR_PIPE_TLS_REFUSED') ? true : undefined;
      }, 120_000, 'a WARNING with FERRY_ERR_PIPE_TLS_REFUSED');
      const [rows] = await cluster.pair.target.connection.query(`SELECT COUNT(*) AS n FROM \`${cluster.pair.schema}\`.items`);
      expect(Number((rows as { n: number }[])[0]?.n)).toBe(0);
      expect(cluster.links.get('lb1')!.stats().up.bytes + cluster.links.get('lb2')!.stats().up.bytes).toBeLessThan(10_000);
    });
  });
});
