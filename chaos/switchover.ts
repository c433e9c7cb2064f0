import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MariaDbInstance } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import type { ChaosCluster } from './cluster.ts';
import { adminConnection, binlogPosition, binlogReaders, demote, promote, waitApplied } from './native-replication.ts';
import { SOURCE_GROUP, type Member } from './source-group.ts';

export interface SwitchContext {
  cluster: ChaosCluster;
  log: Logger;
  signal: AbortSignal;
}

/** Every writer finishes its transaction within this (a connect on a loaded machine takes seconds). */
const HOLD_WRITERS_MS = 60_000;
/** The standby applies what the master logged: under a second here; generous for two shared cores. */
const APPLY_WAIT_S = 60;
/** The switch waits this long for a node to measure the standby caught up (every 3 s). */
const READINESS_WAIT_MS = 120_000;
/** And this long for Ferry's binlog reader to leave the old master for the new one. */
const MOVE_WAIT_MS = 120_000;

/** A switchover done: the servers whose roles swapped, and Ferry's member now active. */
export interface Switched {
  from: MariaDbInstance;
  to: MariaDbInstance;
  member: Member;
}

/**
 * A DBA's planned switchover of the source group under load, then Ferry's switch through the
 * API: the writers held at a transaction boundary; the old master read-only; the standby waits
 * until it applied the master's whole binlog position (MASTER_GTID_WAIT), stops replicating
 * and becomes writable; the old master replicates from it (from all it logged: its own
 * transactions and those it replicated); then `POST .../switch`, not forced,
 * once `switch-readiness` says ready; the writers go on against the new master. When a step
 * fails the writers stay held (the run fails, and its end stops them): none writes to a server
 * whose role is in doubt.
 */
export async function switchOver(ctx: SwitchContext): Promise<Switched> {
  const { sourceGroup: group, services } = ctx.cluster;
  const users = services.users;
  const from = group.master();
  const to = group.standby();
  const member = group.otherMember();
  const log = ctx.log.child({ component: 'chaos-switch', from: from.name, to: to.name, member });
  const started = Date.now();
  await within(group.writers.hold(), HOLD_WRITERS_MS, 'hold the writers at a transaction boundary');
  const held = Date.now();
  const connections: Connection[] = [];
  try {
    const oldMaster = await adminConnection(from, users);
    connections.push(oldMaster);
    const newMaster = await adminConnection(to, users);
    connections.push(newMaster);
    await oldMaster.query('SET GLOBAL read_only = 1');
    const position = await binlogPosition(oldMaster);
    await waitApplied(newMaster, position, APPLY_WAIT_S, `${to.name} (the standby)`);
    await promote(newMaster);
    await demote(oldMaster, to, users);
    const promoted = Date.now();
    await switchThroughApi(ctx, member, held, log);
    group.swapped();
    log.info({ position, holdMs: held - started, promoteMs: promoted - held, apiMs: Date.now() - promoted }, 'chaos source group switched');
  } finally {
    for (const connection of connections) await connection.end().catch(() => undefined);
  }
  group.writers.release();
  return { from, to, member };
}

/** Waits on switch-readiness, then switches; a 409 FERRY_ERR_SWITCH_NOT_READY (measured otherwise meanwhile) means wait again. */
async function switchThroughApi(ctx: SwitchContext, member: Member, heldAt: number, log: Logger): Promise<void> {
  const deadline = Date.now() + READINESS_WAIT_MS;
  let why = 'no answer from a manager';
  for (;;) {
    const api = await ctx.cluster.api().catch(() => undefined);
    const readiness = await api?.call<{ ready: boolean; problems: string[]; at: string | null; measuredBy: string | null }>('GET', `/datasources/${SOURCE_GROUP}/switch-readiness?to=${member}`).catch(() => undefined);
    if (api && readiness?.ready) {
      // When the measurement judged on was taken: before the writers were held, it says little of now.
      log.info({ measuredAt: readiness.at, measuredBy: readiness.measuredBy, heldAt: new Date(heldAt).toISOString() }, 'chaos switch: the standby is ready');
      const answered = await api.answer('POST', `/datasources/${SOURCE_GROUP}/switch`, { to: member, reason: 'chaos' }).catch((error: unknown) => error);
      if (answered instanceof Error) {
        // The manager went away mid-call (an overlapping manager fault): the switch may have
        // been taken. Ask again whoever answers next.
        why = `POST switch: ${answered.message}`;
        if ((await activeMember(ctx)) === member) return;
        await sleep(250);
        continue;
      }
      const { status, text } = answered as { status: number; text: string };
      const answer = parseJson(text);
      if (status === 200) {
        if (answer.active !== member) throw new FerryError('FERRY_ERR_CHAOS_SWITCH', { step: 'POST switch', detail: `answered 200 with active ${String(answer.active)}` });
        return;
      }
      if (answer.code !== 'FERRY_ERR_SWITCH_NOT_READY') throw new FerryError('FERRY_ERR_CHAOS_SWITCH', { step: 'POST switch', detail: `HTTP ${status} ${text}` });
      why = String(answer.message);
      log.info({ why }, 'chaos switch refused as not ready; waiting');
    } else if (readiness) {
      why = readiness.problems.join('; ');
    }
    if (ctx.signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    if (Date.now() > deadline) throw new FerryError('FERRY_ERR_CHAOS_SWITCH', { step: `wait for switch-readiness?to=${member}`, detail: `not ready after ${READINESS_WAIT_MS / 1000} s: ${why}` });
    await sleep(250);
  }
}

/**
 * After the switch Ferry must read the new master: the old one sends its binlog to nobody (its
 * former standby stopped replicating, Ferry's reader left), the new one to two (the old master
 * now replicating from it, and Ferry). The probe alone cannot tell: the old master logs what it
 * replicates, so a reader left on it would still see the probe arrive.
 */
export async function untilFerryReadsNewMaster(ctx: SwitchContext, switched: Switched): Promise<void> {
  const { users } = ctx.cluster.services;
  const deadline = Date.now() + MOVE_WAIT_MS;
  let seen = 'not measured';
  for (;;) {
    const counts = await Promise.all([switched.from, switched.to].map(async (db) => {
      const connection = await adminConnection(db, users).catch(() => undefined);
      try {
        return connection ? await binlogReaders(connection) : undefined;
      } finally {
        await connection?.end().catch(() => undefined);
      }
    }));
    const [onOld, onNew] = counts;
    if (onOld === 0 && onNew !== undefined && onNew >= 2) return;
    seen = `${switched.from.name} sends its binlog to ${String(onOld)} reader(s), ${switched.to.name} to ${String(onNew)}`;
    if (ctx.signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    if (Date.now() > deadline) throw new FerryError('FERRY_ERR_CHAOS_SWITCH', { step: 'Ferry reads the new master', detail: `after ${MOVE_WAIT_MS / 1000} s ${seen}` });
    await sleep(500);
  }
}

async function within<T>(work: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FerryError('FERRY_ERR_CHAOS_SWITCH', { step, detail: `not done within ${ms / 1000} s` })), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The group's active member as a manager says now; undefined while none answers. */
async function activeMember(ctx: SwitchContext): Promise<string | undefined> {
  const api = await ctx.cluster.api().catch(() => undefined);
  const group = await api?.call<{ active?: string }>('GET', `/datasources/${SOURCE_GROUP}`).catch(() => undefined);
  return group?.active;
}
