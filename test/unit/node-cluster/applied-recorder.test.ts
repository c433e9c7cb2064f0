import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readApplied } from '../../../shared/cluster/applied-records.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import type { RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { AppliedRecorder } from '../../../node/cluster/applied-recorder.ts';
import { silentLogger } from '../../../shared/logging.ts';

/** The reads and writes applied-records.ts makes, in memory, with versions; counts writes. */
class MemoryZk {
  readonly nodes = new Map<string, { data: Buffer; version: number }>();
  writes = 0;
  getData(path: string) {
    const node = this.nodes.get(path);
    return node ? Promise.resolve({ data: node.data, version: node.version, ephemeralOwner: '0' }) : Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { path }));
  }
  setData(path: string, data: string, version: number) {
    const node = this.nodes.get(path);
    if (!node) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { path }));
    if (node.version !== version) return Promise.reject(new FerryError('FERRY_ERR_ZK_BAD_VERSION', { path }));
    this.writes++;
    this.nodes.set(path, { data: Buffer.from(data), version: version + 1 });
    return Promise.resolve();
  }
  create(path: string, data: string) {
    if (this.nodes.has(path)) return Promise.reject(new FerryError('FERRY_ERR_ZK_NODE_EXISTS', { path }));
    this.writes++;
    this.nodes.set(path, { data: Buffer.from(data), version: 0 });
    return Promise.resolve(path);
  }
  mkdirp() {
    return Promise.resolve();
  }
}

const pipeline = (epoch: number) => ({ name: 'p1', epoch }) as RuntimePipeline;
const at = (gtid: string) => ({ file: 'mysql-bin.000001', pos: 4, gtidSet: gtid });

describe('AppliedRecorder: ZooKeeper knows that a pipeline ran, and where it got to', () => {
  let zk: MemoryZk;
  const client = () => zk as unknown as ZkClient;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    zk = new MemoryZk();
  });
  afterEach(() => vi.useRealTimers());

  it('knows nothing of a new pipeline; after its claim, names the position; then writes at most every 5 s, the newest', async () => {
    const recorder = new AppliedRecorder({ nodeId: 'n1', zk: client, log: silentLogger() });
    const options = recorder.optionsFor(pipeline(3));
    expect(await options.ranBefore()).toBeUndefined();
    options.onApplied(at('0-1-10'));
    await vi.waitFor(async () => expect((await readApplied(client(), 'p1'))?.position).toBe('0-1-10'));
    expect(await options.ranBefore()).toEqual({ evidence: expect.stringContaining('epoch 3 on node n1') as string, lastKnown: '0-1-10' });
    options.onApplied(at('0-1-11'));
    options.onApplied(at('0-1-12'));
    expect(zk.writes).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(async () => expect((await readApplied(client(), 'p1'))?.position).toBe('0-1-12'));
    expect(zk.writes).toBe(2);
  });

  it('writes what the throttle held back when the node stops, and never over a newer epoch', async () => {
    const recorder = new AppliedRecorder({ nodeId: 'n1', zk: client, log: silentLogger() });
    const options = recorder.optionsFor(pipeline(3));
    options.onApplied(at('0-1-10'));
    options.onApplied(at('0-1-20'));
    await recorder.close();
    expect((await readApplied(client(), 'p1'))?.position).toBe('0-1-20');

    const older = new AppliedRecorder({ nodeId: 'n2', zk: client, log: silentLogger() }).optionsFor(pipeline(2));
    older.onApplied(at('0-1-5'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await readApplied(client(), 'p1')).toMatchObject({ position: '0-1-20', epoch: 3, node: 'n1' });
    expect(zk.nodes.has(zkPaths.applied('p1'))).toBe(true);
  });

  it('without a ZooKeeper session knows nothing and writes nothing', async () => {
    const recorder = new AppliedRecorder({ nodeId: 'n1', zk: () => undefined, log: silentLogger() });
    const options = recorder.optionsFor(pipeline(1));
    options.onApplied(at('0-1-1'));
    await recorder.close();
    expect(await options.ranBefore()).toBeUndefined();
    expect(zk.writes).toBe(0);
  });
});
