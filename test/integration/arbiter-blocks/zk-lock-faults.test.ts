import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../../services/index.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { ZkClient, type SessionState } from '../../../shared/zk/zk-client.ts';
import { acquireLock, type LockZk } from '../../../shared/zk/zk-lock.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { testManagerAccess } from '../../support/zk-identities.ts';

/** The lock under faults: a create whose answer is lost, and a holder cut off until its session expires. */

const LOCK = zkPaths.channelLock('c1');
const WAIT_MS = 60_000;

const contenders = async (zk: ZkClient) => (await zk.getChildren(LOCK)).filter((name) => name.startsWith('lock-'));

/**
 * A real client whose first create reports connection loss: after the server created the
 * node (`created: true`, the recipe's pitfall) or before sending it (`created: false`).
 */
function lossyFirstCreate(zk: ZkClient, created: boolean): LockZk {
  let failed = false;
  return {
    mkdirp: (path) => zk.mkdirp(path),
    create: async (path, data, mode) => {
      if (failed) return zk.create(path, data, mode);
      failed = true;
      if (created) await zk.create(path, data, mode);
      throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'create', path, detail: 'connection loss (injected)' });
    },
    getChildren: (path, watcher) => zk.getChildren(path, watcher),
    getData: (path, watcher) => zk.getData(path, watcher),
    exists: (path, watcher) => zk.exists(path, watcher),
    remove: (path, version) => zk.remove(path, version),
    onState: (listener) => zk.onState(listener),
    get sessionId() {
      return zk.sessionId;
    },
    get sessionTimeoutMs() {
      return zk.sessionTimeoutMs;
    },
  };
}

/** A TCP proxy on loopback that can cut every connection through it and refuse new ones. */
async function tcpProxy(host: string, port: number) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = tcpConnect(port, host);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', close).on('close', close);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => void (cut = false),
  };
}

describe('ZooKeeper lock under faults', () => {
  it('finds its own node when create reports connection loss after the server created it', async () => {
    const zk = await zkClient(await zkChroot());
    const lock = await acquireLock(lossyFirstCreate(zk, true), LOCK, { owner: 'lossy', timeoutMs: 120_000 });
    // Without the recovery a second node would queue behind the orphan of the first and time out.
    expect(await contenders(zk)).toEqual([lock.path.slice(LOCK.length + 1)]);
    await lock.release();
    expect(await contenders(zk)).toEqual([]);
  });

  it('creates again when the lost create never reached the server', async () => {
    const zk = await zkClient(await zkChroot());
    const lock = await acquireLock(lossyFirstCreate(zk, false), LOCK, { owner: 'lossy', timeoutMs: 120_000 });
    expect(await contenders(zk)).toEqual([lock.path.slice(LOCK.length + 1)]);
    await lock.release();
  });

  it('marks the lock lost when the holder is cut off until its session expires, and the next contender gets it', async () => {
    const connect = await zkChroot();
    const slash = connect.indexOf('/');
    const [host, port] = connect.slice(0, slash).split(',')[0]!.split(':');
    const proxy = await tcpProxy(host!, Number(port));
    const cutOff = await ZkClient.connect({ connectString: `127.0.0.1:${proxy.port}${connect.slice(slash)}`, sessionTimeoutMs: 2_000, access: testManagerAccess });
    onTestFinished(() => cutOff.close());
    const states: SessionState[] = [];
    cutOff.onState((state) => states.push(state));
    const other = await zkClient(connect);

    const holder = await acquireLock(cutOff, LOCK, { owner: 'cut-off', timeoutMs: WAIT_MS });
    const next = acquireLock(other, LOCK, { owner: 'next', timeoutMs: WAIT_MS });
    expect(await waitFor(async () => (await contenders(other)).length === 2, WAIT_MS)).toBe(true);

    proxy.cut();
    const handle = await next; // the server expired the cut-off session and deleted its node
    expect(await waitFor(() => holder.lost, WAIT_MS)).toBe(true);
    proxy.restore();
    // Reconnecting, the client learns that its session is gone.
    expect(await waitFor(() => states.includes('expired'), WAIT_MS)).toBe(true);
    expect(holder.lost).toBe(true);
    await holder.release(); // no error on an expired session
    expect(handle.lost).toBe(false);
    await handle.release();
  });
});
