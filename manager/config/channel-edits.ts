import { setTimeout as sleep } from 'node:timers/promises';
import { encode, plainSnapshot, type Versioned, type VersionedSnapshot } from '../../shared/cluster/config-store.ts';
import type { ChannelSpecT, ChannelStatusT, PermitRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { readRecord } from '../runtime-state.ts';
import { badRequest } from './bad-request.ts';
import { channelProblems } from './channel-validation.ts';
import { ensureHistoryParent, historyOp, type ChangeOrigin } from './history.ts';
import { recordedEdit, type EditContext } from './recorded-edit.ts';

/**
 * Channel edits and permits. The spec goes through ConfigStore.edit (epoch compare-and-set);
 * a new channel gets its permit, STOP, in the same multi-op, and a deleted one loses it in
 * the same multi-op, so a permit never exists without its channel. Each change writes its
 * configuration-history entry in the same multi-op too (history.ts).
 */

const PERMIT_ATTEMPTS = 8;

const conflict = (name: string, detail: string, extra: Record<string, unknown> = {}) =>
  new FerryError('FERRY_ERR_API_CONFLICT', { what: 'channel', name, detail, ...extra });

function stored(snapshot: VersionedSnapshot, name: string, expectedVersion?: number): Versioned<ChannelSpecT> {
  const current = snapshot.channels[name];
  if (!current) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name });
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw conflict(name, `version is ${current.version}, not ${expectedVersion}`, { version: current.version });
  }
  return current;
}

/** Everything but the named channel, for validating that channel against the rest. */
function othersThan(snapshot: VersionedSnapshot, name: string) {
  const plain = plainSnapshot(snapshot);
  delete plain.channels[name];
  return plain;
}

export const permitRecord = (status: ChannelStatusT, by: string): PermitRecord => ({ status, by, at: new Date().toISOString() });

export async function createChannel(ctx: EditContext, spec: ChannelSpecT, origin: ChangeOrigin): Promise<void> {
  const { by } = origin;
  await recordedEdit(ctx, 'channels', spec.name, (snapshot) => {
    if (snapshot.channels[spec.name]) throw conflict(spec.name, 'already exists (PUT replaces it)');
    const problems = channelProblems(spec, othersThan(snapshot, spec.name));
    if (problems.length > 0) throw badRequest(problems);
    return [
      { op: 'create', path: zkPaths.channel(spec.name), data: encode(spec) },
      { op: 'create', path: zkPaths.permit(spec.name), data: encode(permitRecord('STOP', by)) },
      historyOp('channels', spec.name, snapshot.epoch, origin, undefined, spec),
    ];
  });
}

/** Replaces a PAUSEd or STOPped channel; the permit must not change meanwhile. */
export async function replaceChannel(ctx: EditContext, name: string, spec: ChannelSpecT, origin: ChangeOrigin, expectedVersion?: number): Promise<number> {
  const { zk, store } = ctx;
  if (spec.name !== name) throw badRequest([{ path: '/name', message: `must be '${name}', the channel of the URL (a channel cannot be renamed)` }]);
  for (let attempt = 1; ; attempt++) {
    const permit = await readRecord<PermitRecord>(zk, zkPaths.permit(name));
    if (permit?.value.status === 'START') throw conflict(name, 'is running (START): pause or stop it before changing it');
    let version = 0;
    try {
      await ensureHistoryParent(zk, 'channels', name);
      await store.edit((snapshot) => {
        const current = stored(snapshot, name, expectedVersion);
        const problems = channelProblems(spec, othersThan(snapshot, name));
        if (problems.length > 0) throw badRequest(problems);
        version = current.version + 1;
        return [
          { op: 'set', path: zkPaths.channel(name), data: encode(spec), version: current.version },
          ...(permit ? [{ op: 'check' as const, path: zkPaths.permit(name), version: permit.version }] : []),
          historyOp('channels', name, snapshot.epoch, origin, current.value, spec),
        ];
      });
      await ctx.history?.afterWrite('channels', name);
      return version;
    } catch (error) {
      // The permit changed under us (someone started the channel), or many edits raced: look again.
      if (!isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || attempt >= 6) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

/** Deletes a STOPped channel with its permit, then its assignments and stats. */
export async function deleteChannel(ctx: EditContext, name: string, origin: ChangeOrigin, expectedVersion?: number): Promise<void> {
  const { zk } = ctx;
  const permit = await readRecord<PermitRecord>(zk, zkPaths.permit(name));
  if (permit && permit.value.status !== 'STOP') throw conflict(name, `is ${permit.value.status}: stop it before deleting it`);
  let pipelines: string[] = [];
  await recordedEdit(ctx, 'channels', name, (snapshot) => {
    const current = stored(snapshot, name, expectedVersion);
    pipelines = current.value.pipelines.map((p) => p.name);
    return [
      { op: 'remove', path: zkPaths.channel(name), version: current.version },
      ...(permit ? [{ op: 'remove' as const, path: zkPaths.permit(name), version: permit.version }] : []),
      historyOp('channels', name, snapshot.epoch, origin, current.value, undefined),
    ];
  });
  // Runtime leftovers; the leader's scheduler also drops assignments of unknown pipelines.
  for (const pipeline of pipelines) {
    await zk.removeRecursive(zkPaths.assignment(pipeline));
    await zk.removeRecursive(zkPaths.selectAssignment(pipeline));
    await zk.removeRecursive(zkPaths.stat(pipeline));
    // A channel created again under this name is a new pipeline: no start refused for a checkpoint it never had.
    await zk.removeRecursive(zkPaths.applied(pipeline));
    await zk.removeRecursive(zkPaths.pipelineHistory(pipeline));
  }
  await zk.removeRecursive(zkPaths.channelRollbacks(name));
  // Its verify jobs: a channel created again under the name starts without them.
  await zk.removeRecursive(zkPaths.verifyJobs(name));
  // The lock directory only when nobody holds or waits for it (a late arbiter action).
  await zk.remove(zkPaths.channelLock(name)).catch(() => undefined);
}

/** Sets a channel's permit (start, pause, stop). The channel must exist at the moment of the write. */
export async function setPermit(zk: ZkClient, name: string, status: ChannelStatusT, by: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const channelVersion = await zk.exists(zkPaths.channel(name));
    if (channelVersion === null) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name });
    const exists = (await zk.exists(zkPaths.permit(name))) !== null;
    const data = encode(permitRecord(status, by));
    try {
      await zk.multi([
        { op: 'check', path: zkPaths.channel(name), version: channelVersion },
        exists ? { op: 'set', path: zkPaths.permit(name), data } : { op: 'create', path: zkPaths.permit(name), data },
      ]);
      return;
    } catch (error) {
      const raced = isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') || isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS');
      if (!raced || attempt >= PERMIT_ATTEMPTS) throw error;
    }
  }
}
