import { describe, expect, it } from 'vitest';
import { buildApi } from '../../../manager/api/server.ts';
import { restartChannel, rollbackChannel, type ArbiterOutcome } from '../../../shared/cluster/arbiter/index.ts';
import { ConfigStore } from '../../../shared/cluster/config-store.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { acquireLock } from '../../../shared/zk/zk-lock.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { ADMIN_TOKEN, apiClient, eventually, testManager, type ApiClient } from '../manager/manager-support.ts';
import { arbiterContext, capturingLogger, fakeNode, managerWithChannel, readAssignment, readPermit, startAndPlace, WAIT_MS } from './arbiter-support.ts';

/** RESTART, and the channel lock serialising arbiter actions from several managers. */

describe('RESTART', () => {
  it('rolls back, then the leader places the pipeline again under a higher epoch; the permit is START', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    const n1 = await fakeNode(connect, 'n1');
    const before = await startAndPlace(api, zk);

    const response = await api.post<ArbiterOutcome>('/api/v1/channels/c1/restart', { reason: 'node n1 came back' });
    expect(response.status).toBe(200);
    const outcome = response.body;
    expect(outcome).toMatchObject({ action: 'RESTART', channel: 'c1', cleared: ['n1'], unresponsive: [], unplaced: [], placed: { p1: { node: 'n1' } } });
    expect(outcome.placed!.p1!.epoch).toBeGreaterThan(before.epoch);
    expect(n1.acked).toEqual([outcome.rollbackId]);
    expect(await readAssignment(zk)).toMatchObject({ node: 'n1', epoch: outcome.placed!.p1!.epoch });
    const permit = await readPermit(zk);
    expect(permit).toMatchObject({ status: 'START', by: 'api:admin', reason: 'node n1 came back' });
    expect(permit?.rollbackId).toBeUndefined();
    expect(outcome.event).toMatchObject({ type: 'RESTART', by: 'api:admin', details: { rollbackId: outcome.rollbackId, cleared: ['n1'], placed: outcome.placed } });
  });

  it('records the pipelines it could not see placed when no leader is alive, and still starts the channel', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { manager, api } = await managerWithChannel(connect);
    await fakeNode(connect, 'n1');
    const before = await startAndPlace(api, zk);
    await manager.stop(); // no manager left: nobody places

    const outcome = await restartChannel(arbiterContext(zk, { placeTimeoutMs: 1_000 }), 'c1', { by: 'manager:m9', reason: 'node n1 died' });
    expect(outcome).toMatchObject({ cleared: ['n1'], placed: {}, unplaced: ['p1'] });
    expect(outcome.event.details).toMatchObject({ placed: {}, unplaced: ['p1'] });
    expect(await readAssignment(zk)).toBeUndefined();
    expect(await readPermit(zk)).toMatchObject({ status: 'START', by: 'manager:m9' });

    // A leader that comes later places it, under a higher epoch than the removed one.
    await testManager(connect);
    const again = await eventually(() => readAssignment(zk), WAIT_MS, 'a new leader to place p1');
    expect(again.epoch).toBeGreaterThan(before.epoch);
  });

  it('serialises ROLLBACK and RESTART fired at once through two managers: nothing interleaves, the last one wins', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { log, lines } = capturingLogger();
    const { manager: m1, api: api1 } = await managerWithChannel(connect, { id: 'm1', log });
    const m2 = await testManager(connect, { id: 'm2', log });
    const api2 = apiClient(m2.url);
    const n1 = await fakeNode(connect, 'n1');
    await startAndPlace(api1, zk);
    expect(m1.isLeader()).toBe(true);

    const rounds: [string, ApiClient, string, ApiClient][] = [['rollback', api1, 'restart', api2], ['restart', api1, 'rollback', api2], ['restart', api1, 'restart', api2]];
    for (const [firstAction, firstApi, secondAction, secondApi] of rounds) {
      lines.length = 0;
      const responses = await Promise.all([firstApi.post<ArbiterOutcome>(`/api/v1/channels/c1/${firstAction}`), secondApi.post<ArbiterOutcome>(`/api/v1/channels/c1/${secondAction}`)]);
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      // Event ids are ZooKeeper's sequence, appended under the lock: their order is the lock's.
      const [earlier, later] = responses.map((r) => r.body).sort((a, b) => Number(a.event.id) - Number(b.event.id)) as [ArbiterOutcome, ArbiterOutcome];
      expect(earlier.rollbackId).not.toEqual(later.rollbackId);
      expect([earlier.cleared, later.cleared]).toEqual([['n1'], ['n1']]);
      expect(n1.acked.slice(-2)).toEqual([earlier.rollbackId, later.rollbackId]);

      // The lock holders' log lines: one action holds the lock from acquiring to releasing, then the other.
      const lockLines = lines.filter((l) => l.msg === 'arbiter lock acquired' || l.msg === 'arbiter action done; releasing the lock').map((l) => `${String(l.action)} ${String(l.msg)}`);
      expect(lockLines).toEqual([
        `${earlier.action} arbiter lock acquired`, `${earlier.action} arbiter action done; releasing the lock`,
        `${later.action} arbiter lock acquired`, `${later.action} arbiter action done; releasing the lock`,
      ]);

      const permit = await readPermit(zk);
      if (later.action === 'RESTART') {
        expect(permit).toMatchObject({ status: 'START' });
        expect(permit?.rollbackId).toBeUndefined();
        expect(later.placed!.p1!.epoch).toBeGreaterThan(earlier.placed?.p1?.epoch ?? 0);
        expect(await readAssignment(zk)).toMatchObject({ epoch: later.placed!.p1!.epoch });
      } else {
        expect(permit).toMatchObject({ status: 'PAUSE', rollbackId: later.rollbackId });
      }
    }
  });

  it('answers 409 FERRY_ERR_LOCK_TIMEOUT naming the holder when the lock cannot be had', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    await fakeNode(connect, 'n1');
    await startAndPlace(api, zk);
    const holder = await zkClient(connect);
    const lock = await acquireLock(holder, zkPaths.channelLock('c1'), { owner: 'node:n3', timeoutMs: WAIT_MS });

    // An API whose arbiter waits only half a second for the lock (in-process, through inject).
    const store = await ConfigStore.open(zk);
    const app = await buildApi({ managerId: () => 'm-test', adminToken: ADMIN_TOKEN, log: silentLogger(), zk: () => zk, store: () => store, isLeader: () => false, arbiter: { lockTimeoutMs: 500 } });
    const refused = await app.inject({ method: 'POST', url: '/api/v1/channels/c1/restart', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await app.close();
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'FERRY_ERR_LOCK_TIMEOUT', retryable: true, details: { owner: 'api:admin', holder: 'node:n3', timeoutMs: 500 } });

    const direct = await rollbackChannel(arbiterContext(zk, { lockTimeoutMs: 300 }), 'c1', { by: 'manager:m1', reason: 'test' }).catch((error: unknown) => error);
    expect(isFerryError(direct, 'FERRY_ERR_LOCK_TIMEOUT')).toBe(true);
    expect(await readPermit(zk)).toMatchObject({ status: 'START' }); // nothing changed

    // Once the holder lets go, the same action goes through.
    await lock.release();
    expect(await rollbackChannel(arbiterContext(zk, { lockTimeoutMs: 60_000 }), 'c1', { by: 'manager:m1', reason: 'test' })).toMatchObject({ cleared: ['n1'] });
  });
});
