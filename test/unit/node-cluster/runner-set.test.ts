import { describe, expect, it } from 'vitest';
import { desiredPipelines, RunnerSet, type RunnerFailure } from '../../../node/cluster/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { fakeFactory } from './fake-runner.ts';
import { assignment, channel, permit, snapshot, view } from './fixtures.ts';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('RunnerSet reconcile', () => {
  it('starts what is desired and leaves an equal desired set alone', () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    const desired = desiredPipelines(view(), 'n1');
    set.setDesired(desired);
    set.setDesired(desiredPipelines(view(), 'n1'));
    expect(made.map((r) => r.pipeline.name)).toEqual(['p1']);
    expect(made[0]!.stopRequested).toBe(false);
    expect(set.isRunning('p1', desired.get('p1')!.fingerprint)).toBe(true);
  });

  it('stops what is no longer desired (paused, unassigned)', async () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    set.setDesired(desiredPipelines(view(), 'n1'));
    set.setDesired(desiredPipelines(view({ permits: { c1: permit('PAUSE') } }), 'n1'));
    await set.settled();
    expect(made[0]!.stopRequested).toBe(true);
    expect(set.names()).toEqual([]);
    // START again: a new runner with the same epoch.
    set.setDesired(desiredPipelines(view(), 'n1'));
    expect(made).toHaveLength(2);
    set.setDesired(desiredPipelines(view({ assignments: [assignment('p1', 'n2', 2)] }), 'n1'));
    await set.settled();
    expect(made[1]!.stopRequested).toBe(true);
    expect(set.names()).toEqual([]);
  });

  it('restarts on a new epoch only after the old runner finished its batch in flight', async () => {
    const { factory, made } = fakeFactory({ holdStop: true });
    let changes = 0;
    const set = new RunnerSet(factory, silentLogger(), () => changes++);
    set.setDesired(desiredPipelines(view(), 'n1'));
    set.setDesired(desiredPipelines(view({ assignments: [assignment('p1', 'n1', 2)] }), 'n1'));
    expect(made[0]!.stopRequested).toBe(true);
    expect(made).toHaveLength(1);
    made[0]!.finish();
    await set.settled();
    await flush();
    expect(made.map((r) => r.pipeline.epoch)).toEqual([1, 2]);
    expect(made[1]!.stopRequested).toBe(false);
    expect(changes).toBeGreaterThan(0);
  });

  it('restarts when the resolved configuration changes (standby switch, tables)', async () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    set.setDesired(desiredPipelines(view(), 'n1'));
    const switched = snapshot(2);
    switched.dataSources.src!.active = 'standby';
    set.setDesired(desiredPipelines(view({ snapshot: switched }), 'n1'));
    await set.settled();
    await flush();
    expect(made.map((r) => r.pipeline.source.host)).toEqual(['127.0.0.1', '127.0.0.2']);
    set.setDesired(desiredPipelines(view({ snapshot: snapshot(3, [channel('c1', ['p1'], ['shop.orders'])]) }), 'n1'));
    await set.settled();
    await flush();
    expect(made).toHaveLength(3);
    expect(made[2]!.pipeline.tables).toEqual([{ source: 'shop.orders' }]);
  });

  it('keeps a failed runner stopped, with its error in stats, until its epoch changes', async () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    set.setDesired(desiredPipelines(view(), 'n1'));
    made[0]!.fail();
    await flush();
    set.setDesired(desiredPipelines(view(), 'n1'));
    expect(made).toHaveLength(1);
    const stats = set.stats('n1');
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ pipeline: 'p1', state: 'failed', position: '0-1-5', error: { code: 'FERRY_ERR_DDL_NOT_ALLOWED' } });
    set.setDesired(desiredPipelines(view({ assignments: [assignment('p1', 'n1', 2)] }), 'n1'));
    expect(made).toHaveLength(2);
    expect(set.stats('n1')[0]).toMatchObject({ epoch: 2, state: 'running' });
  });

  it('records an assignment that cannot be resolved as failed, without a runner', () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    set.setDesired(desiredPipelines(view({ assignments: [assignment('ghost', 'n1', 4)] }), 'n1'));
    expect(made).toHaveLength(0);
    const stats = set.stats('n1');
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ pipeline: 'ghost', epoch: 4, state: 'failed', position: null, lagMs: null, error: { code: 'FERRY_ERR_API_NOT_FOUND' } });
  });

  it('stopAll stops every runner and starts nothing afterwards', async () => {
    const { factory, made } = fakeFactory();
    const set = new RunnerSet(factory, silentLogger());
    const two = view({ snapshot: snapshot(1, [channel('c1', ['p1', 'p2'])]), assignments: [assignment('p1', 'n1', 1), assignment('p2', 'n1', 1)] });
    set.setDesired(desiredPipelines(two, 'n1'));
    await set.stopAll();
    expect(made.map((r) => r.stopRequested)).toEqual([true, true]);
    set.setDesired(desiredPipelines(two, 'n1'));
    expect(made).toHaveLength(2);
    expect(set.names()).toEqual([]);
  });

  it('abort drops the channel\'s runners at once, even one held in a clean stop, and forgets failed ones', async () => {
    const { factory, made } = fakeFactory({ holdStop: true });
    const set = new RunnerSet(factory, silentLogger());
    const two = view({ snapshot: snapshot(1, [channel('c1', ['p1']), channel('c2', ['p2'])]), assignments: [assignment('p1', 'n1', 1), assignment('p2', 'n1', 1, 'c2')], permits: { c1: permit('START'), c2: permit('START') } });
    set.setDesired(desiredPipelines(two, 'n1'));
    set.setDesired(desiredPipelines({ ...two, permits: { c2: permit('START') } }, 'n1'));
    expect(made[0]!.stopRequested).toBe(true); // a clean stop that has not finished
    await set.abort((pipeline) => pipeline.channel === 'c1', 'ROLLBACK r1');
    expect(made.map((r) => r.aborted)).toEqual([true, false]);
    expect(set.names()).toEqual(['p2']);
    expect(set.hasChannel('c1')).toBe(false);
  });

  it('tells onFailure of a runner that failed on its own, never of one stopped or aborted; retry() starts it again', async () => {
    const { factory, made } = fakeFactory();
    const failures: RunnerFailure[] = [];
    const set = new RunnerSet(factory, silentLogger(), () => undefined, (failure) => failures.push(failure));
    const desired = desiredPipelines(view(), 'n1');
    set.setDesired(desired);
    made[0]!.fail('FERRY_ERR_TARGET_WRITE');
    await flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ desired: { name: 'p1', channel: 'c1' }, error: { code: 'FERRY_ERR_TARGET_WRITE' }, status: { transactionsApplied: 10 } });
    set.retry('p1');
    expect(made).toHaveLength(2);
    await set.abort(() => true, 'session in doubt');
    set.setDesired(desired);
    set.setDesired(desiredPipelines(view({ permits: { c1: permit('PAUSE') } }), 'n1'));
    await set.settled();
    await flush();
    expect(made.map((r) => [r.aborted, r.stopRequested])).toEqual([[false, false], [true, false], [false, true]]);
    expect(failures).toHaveLength(1);
  });
});
