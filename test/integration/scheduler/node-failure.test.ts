import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { scheduler } from '../../../manager/index.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { eventually, testManager } from '../manager/manager-support.ts';
import { assignmentWhen, eventWhen, fakeNode, readAssignment, schedulerCluster, staysTrue } from './scheduler-support.ts';

/**
 * Issue #6: the leader waits a protection period for a vanished node before moving its work;
 * a node back in time keeps it; a node that leaves cleanly hands it over at once.
 */

const PROTECTION_MS = 1_500;
/** For tests where the work must NOT move by the period: longer than any wait in them. */
const LONG_PROTECTION_MS = 600_000;
/** For tests whose own steps must fit inside the period, however slow the machine. */
const ROOMY_PROTECTION_MS = 10_000;

/** p1 started and placed on n1 (registered first), with n2 standing by. */
async function placedOnN1(connect: string, options: Parameters<typeof schedulerCluster>[1] = {}) {
  const cluster = await schedulerCluster(connect, { protectionPeriodMs: PROTECTION_MS, ...options });
  const n1 = await fakeNode(connect, 'n1');
  await cluster.api.post('/api/v1/channels/c1/start');
  const { record } = await assignmentWhen(cluster.admin, 'p1', (a) => a.node === 'n1', 5_000, 'p1 on n1');
  const n2 = await fakeNode(connect, 'n2');
  return { ...cluster, n1, n2, first: record };
}

describe('node failure: protection period', () => {
  it("keeps a vanished node's work for the protection period, then moves it with a higher epoch", async () => {
    const connect = await zkChroot();
    const { admin, n1, first } = await placedOnN1(connect);
    const vanishedAt = performance.now();
    await n1.vanish();
    const down = await eventWhen(admin, (e) => e.type === 'NODE_DOWN' && e.node === 'n1', 3_000, 'NODE_DOWN for n1');
    expect(down.details).toMatchObject({ pipelines: ['p1'], protectionPeriodMs: PROTECTION_MS });

    const { record: moved, atMs } = await assignmentWhen(admin, 'p1', (a) => a.node !== 'n1', PROTECTION_MS + 5_000, 'p1 to move');
    const waited = atMs - vanishedAt;
    console.log(`vanished node's work moved after ${Math.round(waited)} ms (protection period ${PROTECTION_MS} ms)`);
    expect(waited).toBeGreaterThanOrEqual(PROTECTION_MS);
    expect(moved).toMatchObject({ node: 'n2', state: 'pending', previousNode: 'n1' });
    expect(moved.epoch).toBeGreaterThan(first.epoch);
    // The move went through the arbiter's RESTART of the channel (after Otter), then placement.
    await eventWhen(admin, (e) => e.type === 'RESTART' && e.channel === 'c1' && e.reason.includes('n1'), 3_000, 'a RESTART of c1');
    await eventWhen(admin, (e) => e.type === 'PLACEMENT' && e.pipeline === 'p1' && e.node === 'n2', 3_000, 'a PLACEMENT event');
  });

  it('moves the work itself when the RESTART fails', async () => {
    const connect = await zkChroot();
    const failing = () => Promise.reject(new Error('lock busy'));
    const { admin, n1, first } = await placedOnN1(connect, { duties: [scheduler({ protectionPeriodMs: PROTECTION_MS, restartChannel: failing })] });
    const vanishedAt = performance.now();
    await n1.vanish();
    const { record, atMs } = await assignmentWhen(admin, 'p1', (a) => a.node === 'n2', PROTECTION_MS + 5_000, 'p1 to move to n2');
    expect(atMs - vanishedAt).toBeGreaterThanOrEqual(PROTECTION_MS);
    expect(record).toMatchObject({ previousNode: 'n1' });
    expect(record.epoch).toBeGreaterThan(first.epoch);
  });

  it('lets a node back within the protection period keep its work (same epoch)', async () => {
    const connect = await zkChroot();
    const { admin, n1 } = await placedOnN1(connect, { protectionPeriodMs: ROOMY_PROTECTION_MS });
    const version = await admin.exists(zkPaths.assignment('p1'));
    const before = await readAssignment(admin, 'p1');
    await n1.vanish();
    await eventWhen(admin, (e) => e.type === 'NODE_DOWN' && e.node === 'n1', 3_000, 'NODE_DOWN for n1');
    await fakeNode(connect, 'n1'); // a new process of the same node
    await eventWhen(admin, (e) => e.type === 'NODE_UP' && e.node === 'n1', 3_000, 'NODE_UP for n1');
    // Past the end of the period it has not moved.
    await staysTrue(async () => (await admin.exists(zkPaths.assignment('p1'))) === version, ROOMY_PROTECTION_MS + 1_000);
    expect(await readAssignment(admin, 'p1')).toEqual(before);
  });

  it("moves a 'leaving' node's work at once", async () => {
    const connect = await zkChroot();
    // With a period longer than the test, only the 'leaving' path can move the work.
    const { admin, n1, first } = await placedOnN1(connect, { protectionPeriodMs: LONG_PROTECTION_MS });
    const leavingAt = performance.now();
    await n1.setState('leaving');
    const { record, atMs } = await assignmentWhen(admin, 'p1', (a) => a.node === 'n2', 5_000, 'p1 to move to n2');
    console.log(`leaving node's work moved after ${Math.round(atMs - leavingAt)} ms`);
    expect(record.epoch).toBeGreaterThan(first.epoch);
  });

  it("does not wait for a node that left cleanly when no other node could take its work then", async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect, { protectionPeriodMs: LONG_PROTECTION_MS });
    const n1 = await fakeNode(connect, 'n1');
    await api.post('/api/v1/channels/c1/start');
    await assignmentWhen(admin, 'p1', (a) => a.node === 'n1', 5_000, 'p1 on n1');
    await n1.setState('leaving');
    // The leader sees it leaving before its session ends (a real node stops its pipelines first).
    const down = await eventWhen(admin, (e) => e.type === 'NODE_DOWN' && e.node === 'n1', 3_000, 'NODE_DOWN for n1');
    expect(down.details).toMatchObject({ pipelines: ['p1'], protectionPeriodMs: 0 });
    await n1.vanish();
    await fakeNode(connect, 'n2');
    await assignmentWhen(admin, 'p1', (a) => a.node === 'n2', 5_000, 'p1 on n2');
  });

  it('a leader handover during the protection period does not move the work early', async () => {
    const connect = await zkChroot();
    // The handover must happen inside the first leader's period, however slow the machine.
    const { manager: first, admin, n1 } = await placedOnN1(connect, { protectionPeriodMs: ROOMY_PROTECTION_MS });
    const second = await testManager(connect, { protectionPeriodMs: ROOMY_PROTECTION_MS });
    await n1.vanish();
    await eventWhen(admin, (e) => e.type === 'NODE_DOWN' && e.by === `manager:${first.id}`, 3_000, 'NODE_DOWN from the first leader');
    const handoverAt = performance.now();
    await first.stop();
    await eventually(() => (second.isLeader() ? true : undefined), 5_000, 'the second manager to lead');
    await eventWhen(admin, (e) => e.type === 'NODE_DOWN' && e.by === `manager:${second.id}`, 3_000, 'NODE_DOWN from the new leader');

    const { atMs } = await assignmentWhen(admin, 'p1', (a) => a.node === 'n2', ROOMY_PROTECTION_MS + 5_000, 'p1 to move to n2');
    console.log(`after a handover the work moved ${Math.round(atMs - handoverAt)} ms after the handover began`);
    // The new leader's period starts when IT first saw n1 missing, after the handover began.
    expect(atMs - handoverAt).toBeGreaterThanOrEqual(ROOMY_PROTECTION_MS);
  });
});
