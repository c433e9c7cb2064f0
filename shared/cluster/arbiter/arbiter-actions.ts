import { randomUUID } from 'node:crypto';
import { FerryError } from '../../errors/index.ts';
import type { ChannelSpecT, ChannelStatusT, PermitRecord } from '../model.ts';
import { zkPaths } from '../zk-paths.ts';
import { ARBITER_DEFAULTS, type ArbiterAction, type ArbiterCause, type ArbiterContext, type ArbiterOutcome } from './arbiter-types.ts';
import { involvedNodes, readChannel, readPermit, removeAssignments, writePermit } from './channel-records.ts';
import { underChannelLock, type HeldChannelLock } from './channel-lock.ts';
import { awaitPlacement } from './placement-wait.ts';
import { awaitRollbackAcks, type AckResult } from './rollback-acks.ts';

/**
 * The arbiter's actions on a channel (after Otter's arbitrate): each runs under the channel's
 * ZooKeeper lock and ends with an event naming who raised it and why.
 * - ROLLBACK: permit PAUSE with a new rollbackId; every live node running a pipeline of the
 *   channel drops its in-flight batches, clears the pipeline's context and acknowledges; the
 *   permit stays PAUSE (a RESTART or an operator's start resumes).
 * - RESTART: ROLLBACK, then the assignments are removed and the permit set to START, so the
 *   leader's scheduler places every pipeline again under a new epoch (fencing the old one).
 * - PAUSE / START / STOP: the permit alone, under the same lock.
 */

const permit = (status: ChannelStatusT, cause: ArbiterCause, rollbackId?: string): PermitRecord =>
  ({ status, by: cause.by, reason: cause.reason, at: new Date().toISOString(), ...(rollbackId ? { rollbackId } : {}) });

/** ROLLBACK and RESTART have nothing to act on in a STOPped channel; turning it PAUSE or START would undo the operator's stop. */
async function refuseStopped(ctx: ArbiterContext, channel: string, action: ArbiterAction): Promise<void> {
  const current = await readPermit(ctx.zk, channel);
  if ((current?.value.status ?? 'STOP') === 'STOP') throw new FerryError('FERRY_ERR_CHANNEL_STOPPED', { channel, action });
}

/** The ROLLBACK steps, shared with RESTART. */
async function rollbackPhase(ctx: ArbiterContext, spec: ChannelSpecT, cause: ArbiterCause, lock: HeldChannelLock): Promise<AckResult & { rollbackId: string }> {
  const rollbackId = randomUUID();
  await ctx.zk.mkdirp(zkPaths.channelRollbacks(spec.name)); // where nodes acknowledge
  lock.ensureHeld();
  await writePermit(ctx.zk, spec.name, permit('PAUSE', cause, rollbackId));
  // Read after the PAUSE: from here the scheduler places nothing new for this channel.
  const nodes = await involvedNodes(ctx.zk, spec);
  lock.log.info({ rollbackId, nodes }, 'rollback: permit PAUSE; waiting for the nodes to clear the channel');
  const acks = await awaitRollbackAcks(ctx.zk, spec.name, nodes, rollbackId, ctx.clearTimeoutMs ?? ARBITER_DEFAULTS.clearTimeoutMs, () => lock.lost);
  lock.ensureHeld();
  if (acks.unresponsive.length > 0) lock.log.warn({ rollbackId, unresponsive: acks.unresponsive }, 'rollback: nodes did not acknowledge in time; the fence keeps them from committing');
  return { rollbackId, ...acks };
}

export async function rollbackChannel(ctx: ArbiterContext, channel: string, cause: ArbiterCause): Promise<ArbiterOutcome> {
  return underChannelLock(ctx, channel, 'ROLLBACK', cause, async (lock) => {
    const spec = (await readChannel(ctx.zk, channel)).value;
    await refuseStopped(ctx, channel, 'ROLLBACK');
    const rollback = await rollbackPhase(ctx, spec, cause, lock);
    const event = await ctx.events.append({ type: 'ROLLBACK', channel, by: cause.by, reason: cause.reason, details: { ...rollback } });
    return { action: 'ROLLBACK', channel, ...rollback, event };
  });
}

export async function restartChannel(ctx: ArbiterContext, channel: string, cause: ArbiterCause): Promise<ArbiterOutcome> {
  return underChannelLock(ctx, channel, 'RESTART', cause, async (lock) => {
    const spec = (await readChannel(ctx.zk, channel)).value;
    await refuseStopped(ctx, channel, 'RESTART');
    const rollback = await rollbackPhase(ctx, spec, cause, lock);
    // The permit is PAUSE: nothing is placed until START, so no assignment sneaks in between.
    const removedEpochs = await removeAssignments(ctx.zk, spec);
    lock.ensureHeld();
    await writePermit(ctx.zk, channel, permit('START', cause));
    lock.log.info({ removed: Object.fromEntries(removedEpochs) }, 'restart: assignments removed, permit START; waiting for placement');
    const placement = await awaitPlacement(ctx.zk, spec, removedEpochs, ctx.placeTimeoutMs ?? ARBITER_DEFAULTS.placeTimeoutMs, () => lock.lost);
    // START is written: from here the action is done whatever happens to the lock, so record it.
    if (placement.unplaced.length > 0) lock.log.warn({ unplaced: placement.unplaced }, 'restart: pipelines not placed in time (no leader, or no eligible node); the leader places them when it can');
    const details = { ...rollback, placed: placement.placed, unplaced: placement.unplaced };
    const event = await ctx.events.append({ type: 'RESTART', channel, by: cause.by, reason: cause.reason, details });
    return { action: 'RESTART', channel, ...details, event };
  });
}

/** Sets the permit (START, PAUSE or STOP) under the channel lock, without a rollback, and records it. */
export async function setChannelStatus(ctx: ArbiterContext, channel: string, status: ChannelStatusT, cause: ArbiterCause): Promise<ArbiterOutcome> {
  return underChannelLock(ctx, channel, status, cause, async (lock) => {
    await readChannel(ctx.zk, channel);
    lock.ensureHeld();
    await writePermit(ctx.zk, channel, permit(status, cause));
    const event = await ctx.events.append({ type: status, channel, by: cause.by, reason: cause.reason });
    return { action: status, channel, cleared: [], unresponsive: [], event };
  });
}

/** Permit PAUSE under the lock, no rollback: stages hold in place. */
export async function pauseChannel(ctx: ArbiterContext, channel: string, cause: ArbiterCause): Promise<ArbiterOutcome> {
  return setChannelStatus(ctx, channel, 'PAUSE', cause);
}
