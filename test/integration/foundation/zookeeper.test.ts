import { describe, expect, it } from 'vitest';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import type { WatchEvent } from '../../../shared/zk/zk-client.ts';
import { waitFor } from '../../../services/index.ts';

describe('ZooKeeper through the client adapter', () => {
  it('removes an ephemeral node when its session closes', async () => {
    const connectString = await zkChroot();
    const observer = await zkClient(connectString);
    const owner = await zkClient(connectString);
    await observer.mkdirp('/nodes');
    await owner.create('/nodes/n1', JSON.stringify({ id: 'n1' }), 'ephemeral');

    const node = await observer.getData('/nodes/n1');
    expect(node.ephemeralOwner).toBe(owner.sessionId);
    expect(await observer.getChildren('/nodes')).toEqual(['n1']);

    let fired: WatchEvent | undefined;
    await observer.exists('/nodes/n1', (event) => (fired = event));
    await owner.close();
    // Bounded: a watch lost with a dropped connection must fail the test, not hang it.
    expect(await waitFor(() => fired !== undefined, 120_000)).toBe(true);
    expect(fired).toEqual({ type: 'deleted', path: '/nodes/n1' });
    expect(await observer.exists('/nodes/n1')).toBeNull();
  });

  it('fires child and data watches once per change', async () => {
    const connectString = await zkChroot();
    const client = await zkClient(connectString);
    await client.create('/config', 'v1');

    const events: WatchEvent[] = [];
    await client.getChildren('/config', (event) => events.push(event));
    await client.getData('/config', (event) => events.push(event));
    await client.create('/config/child', 'x');
    await client.setData('/config', 'v2');
    expect(await waitFor(() => events.length === 2, 120_000)).toBe(true);
    expect(events).toEqual(expect.arrayContaining([
      { type: 'children-changed', path: '/config' },
      { type: 'data-changed', path: '/config' },
    ]));
  });

  it('refuses a write based on a stale version', async () => {
    const connectString = await zkChroot();
    const first = await zkClient(connectString);
    const second = await zkClient(connectString);
    await first.create('/channel', '{"v":0}');
    const read = await first.getData('/channel');
    await second.setData('/channel', '{"v":1}', read.version);
    await expect(first.setData('/channel', '{"v":2}', read.version)).rejects.toMatchObject({ code: 'FERRY_ERR_ZK_BAD_VERSION' });
    expect((await first.getData('/channel')).data.toString()).toBe('{"v":1}');
  });
});
