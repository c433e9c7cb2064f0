import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Row } from '../../shared/model/change.ts';
import type { ConflictRecord } from '../../shared/model/conflict.ts';
import type { Flavor } from '../../shared/mysql/flavor.ts';
import { checkStatement, currentRowsStatement, expectedCheckByJoin, KEYS_PER_CHECK, uniqueProbeStatement, type CheckAnswerRow, type CheckFlags } from './conflict-check.ts';
import { echoVerdict, judge, type KeyState, type PolicySide, type Verdict } from './conflict-policy.ts';
import { wireRow } from './conflict-store.ts';
import type { EchoGuard } from './echo-guard.ts';
import { keyOf, writeSetKeyOf } from './key.ts';
import type { KeyExpectation, TableOperations } from './merge.ts';

/** Conflict detection's settings (a pipeline with detectConflicts). */
export interface ConflictSettings {
  pipeline: string;
  side: PolicySide;
  /** newer-wins: the column compared. */
  timestampColumn?: string;
  /** The primary's direction: what it wrote per key, which an echo must find (echo-guard.ts). Absent: echoes are skipped. */
  echoGuard?: EchoGuard;
}

/** What detection leaves of a table's operations: what to write, and how. */
export interface ResolvedTable {
  operations: TableOperations;
  /** A write that wins over another row holding one of its unique values: written with REPLACE, which deletes that row. */
  replace: boolean;
}

export interface Resolution {
  tables: ResolvedTable[];
  records: ConflictRecord[];
  /** True when a conflict's decision is `stopped` (policy stop): nothing of the batch may commit. */
  stopped: boolean;
}

/**
 * Checks every key of the batch against the target (locking its rows), judges each conflict
 * under the policy, and returns the operations that remain: a skipped key drops all its
 * changes, a key already holding its final image needs nothing, keys checked absent are
 * created (plain INSERT: a row appearing there since is a retry, never a silent upsert).
 * `echo`: the batch is an echo; each key is applied only where still true (echoVerdict), and
 * nothing is a conflict.
 */
export async function resolveConflicts(connection: PoolConnection, flavor: Flavor, operations: TableOperations[], position: string, settings: ConflictSettings, echo = false): Promise<Resolution> {
  const resolution: Resolution = { tables: [], records: [], stopped: false };
  const at = new Date().toISOString();
  const guard = settings.echoGuard;
  for (const table of operations) {
    const entries = table.expectations ?? [];
    const tableName = `${table.table.schema}.${table.table.table}`;
    const states = echo ? await checkEchoKeys(connection, flavor, table, entries) : await checkKeys(connection, flavor, table, entries, settings.timestampColumn);
    const clashes = await probeUniqueKeys(connection, table, entries);
    const resolved: TableOperations = { table: table.table, key: table.key, deletes: [], writes: [], replaced: [], created: 0 };
    const rewritten: Row[] = [];
    const conflicting: Array<{ entry: KeyExpectation; verdict: NonNullable<Verdict>; clash?: Row }> = [];
    let replace = false;
    entries.forEach((entry, index) => {
      const state = states[index]!;
      const clash = clashes.get(index);
      state.uniqueClash = clash !== undefined;
      const guardKey = guard === undefined ? '' : `${tableName}\u0000${keyOf(entry.keyRow, table.key, true)}`;
      // An echo only where the target holds its expected image because this direction wrote it there.
      if (echo && (echoVerdict(state) !== 'apply' || guard?.wroteLast(guardKey, entry.expected) !== true)) return;
      const verdict = echo ? null : judge(state, entry.expected !== null, settings.side);
      if (verdict !== null) {
        conflicting.push({ entry, verdict, ...(clash === undefined ? {} : { clash }) });
        if (verdict.decision !== 'applied') {
          guard?.forget(guardKey);
          return;
        }
        if (verdict.kind === 'unique-key') replace = true;
      }
      guard?.wrote(guardKey, entry.final);
      if (state.equalsFinal) return;
      if (entry.final === null) resolved.deletes.push(entry.keyRow);
      else if (state.present) {
        rewritten.push(entry.final);
        resolved.replaced.push(entry.keyRow);
      } else resolved.writes.push(entry.final);
    });
    resolved.created = resolved.writes.length;
    for (const row of rewritten) resolved.writes.push(row);
    resolution.tables.push({ operations: resolved, replace });
    if (conflicting.length === 0) continue;
    const current = await readCurrent(connection, table, conflicting.map((c) => c.entry));
    for (const { entry, verdict, clash } of conflicting) {
      if (verdict.decision === 'stopped') resolution.stopped = true;
      const held = clash ?? current.get(entry);
      resolution.records.push({
        pipeline: settings.pipeline,
        table: `${table.table.schema}.${table.table.table}`,
        key: wireRow(Object.fromEntries(table.key.map((column) => [column, entry.keyRow[column]]))),
        kind: verdict.kind,
        incoming: entry.final === null ? null : wireRow(entry.final),
        current: held === undefined ? null : wireRow(held),
        policy: settings.side.policy,
        decision: verdict.decision,
        position,
        at,
      });
    }
  }
  return resolution;
}

/**
 * The state of each entry's key on the target: first whether each row is the expected image
 * (in chunks, locking the rows), then, for the keys present whose row is not, whether it is
 * already the final image and which timestamp is newer.
 */
async function checkKeys(connection: PoolConnection, flavor: Flavor, table: TableOperations, entries: KeyExpectation[], timestampColumn?: string): Promise<KeyState[]> {
  const states: KeyState[] = entries.map((entry) => ({ present: false, matchesExpected: entry.expected === null, equalsFinal: entry.final === null, uniqueClash: false }));
  const unexpected: number[] = [];
  await askInChunks(connection, flavor, table, entries, entries.map((_, index) => index), { expected: true, final: false }, (index, row) => {
    const state = states[index]!;
    state.present = true;
    state.matchesExpected = entries[index]!.expected !== null && Number(row.e) === 1;
    state.equalsFinal = false;
    if (!state.matchesExpected) unexpected.push(index);
  });
  if (unexpected.length === 0) return states;
  await askInChunks(connection, flavor, table, entries, unexpected, { expected: false, final: true, ...(timestampColumn === undefined ? {} : { timestampColumn }) }, (index, row) => {
    const state = states[index]!;
    state.equalsFinal = entries[index]!.final !== null && Number(row.f) === 1;
    if (row.n !== undefined && row.n !== null) state.newer = Number(row.n) > 0 ? 'incoming' : Number(row.n) < 0 ? 'current' : 'tie';
  });
  return states;
}

/**
 * checkKeys for an echo batch, whose keys usually hold their final image already (the echo of
 * the target's own change): the first pass asks that, with the final image in the expected
 * image's place (the same statement forms); only keys present and not final are asked whether
 * they hold the expected image. No timestamps: an echo is never a conflict.
 */
async function checkEchoKeys(connection: PoolConnection, flavor: Flavor, table: TableOperations, entries: KeyExpectation[]): Promise<KeyState[]> {
  const states: KeyState[] = entries.map((entry) => ({ present: false, matchesExpected: entry.expected === null, equalsFinal: entry.final === null, uniqueClash: false }));
  const swapped = entries.map((entry) => ({ keyRow: entry.keyRow, expected: entry.final, final: entry.expected }));
  const notFinal: number[] = [];
  await askInChunks(connection, flavor, table, swapped, entries.map((_, index) => index), { expected: true, final: false }, (index, row) => {
    const state = states[index]!;
    state.present = true;
    state.matchesExpected = false;
    state.equalsFinal = entries[index]!.final !== null && Number(row.e) === 1;
    if (!state.equalsFinal) notFinal.push(index);
  });
  if (notFinal.length === 0) return states;
  await askInChunks(connection, flavor, table, entries, notFinal, { expected: true, final: false }, (index, row) => {
    states[index]!.matchesExpected = entries[index]!.expected !== null && Number(row.e) === 1;
  });
  return states;
}

/** Runs the check over `indexes` of `entries` in chunks; `answer` gets each row found, by entry index. */
async function askInChunks(connection: PoolConnection, flavor: Flavor, table: TableOperations, entries: KeyExpectation[], indexes: number[], flags: CheckFlags, answer: (index: number, row: CheckAnswerRow) => void): Promise<void> {
  for (let start = 0; start < indexes.length; start += KEYS_PER_CHECK) {
    const chunkIndexes = indexes.slice(start, start + KEYS_PER_CHECK);
    const chunk = chunkIndexes.map((index) => entries[index]!);
    const joined = flags.expected && !flags.final && flavor === 'mariadb' ? expectedCheckByJoin(table.table, table.key, chunk) : undefined;
    let [rows] = await connection.query<RowDataPacket[]>(joined ?? checkStatement(table.table, table.key, chunk, flags));
    // FIELD matched a row differently from the key's IN: the slower CASE, which compares as `=` does.
    if ((rows as unknown as CheckAnswerRow[]).some((row) => row.i === null || Number(row.i) < 0)) {
      [rows] = await connection.query<RowDataPacket[]>(checkStatement(table.table, table.key, chunk, flags, false));
    }
    for (const row of rows as unknown as CheckAnswerRow[]) {
      if (row.i !== null) answer(chunkIndexes[Number(row.i)]!, row);
    }
  }
}

/**
 * Entries whose final image meets another target row on a secondary unique key: a row the
 * batch itself does not change (those move out of the way in the batch's own statements).
 * Returns the row met, by entry index.
 */
async function probeUniqueKeys(connection: PoolConnection, table: TableOperations, entries: KeyExpectation[]): Promise<Map<number, Row>> {
  const clashes = new Map<number, Row>();
  const secondary = table.table.uniqueKeys.filter((unique) => unique.columns.join('\u0000') !== table.key.join('\u0000'));
  if (secondary.length === 0) return clashes;
  const touched = new Set(entries.map((entry) => keyOf(entry.keyRow, table.key, true)));
  const writes = entries.map((entry, index) => ({ index, row: entry.final })).filter((w): w is { index: number; row: Row } => w.row !== null);
  for (const unique of secondary) {
    if (!unique.columns.every((column) => writes.every((w) => column in w.row))) continue;
    for (let start = 0; start < writes.length; start += KEYS_PER_CHECK) {
      const chunk = writes.slice(start, start + KEYS_PER_CHECK);
      const sql = uniqueProbeStatement(table.table, table.key, unique.columns, chunk.map((w) => w.row));
      if (sql === undefined) continue;
      const [rows] = await connection.query<RowDataPacket[]>(sql);
      const held = new Map<string, Row>();
      for (const row of rows as Row[]) {
        if (!touched.has(keyOf(row, table.key, true))) held.set(writeSetKeyOf(row, unique), row);
      }
      if (held.size === 0) continue;
      for (const w of chunk) {
        const met = held.get(writeSetKeyOf(w.row, unique));
        if (met !== undefined && !clashes.has(w.index)) clashes.set(w.index, met);
      }
    }
  }
  return clashes;
}

/** The target's rows of conflicting entries (already locked by the check), by entry. */
async function readCurrent(connection: PoolConnection, table: TableOperations, entries: KeyExpectation[]): Promise<Map<KeyExpectation, Row>> {
  const current = new Map<KeyExpectation, Row>();
  for (let start = 0; start < entries.length; start += KEYS_PER_CHECK) {
    const chunk = entries.slice(start, start + KEYS_PER_CHECK);
    const [rows] = await connection.query<RowDataPacket[]>(currentRowsStatement(table.table, table.key, chunk));
    for (const row of rows as Row[]) {
      const index = row.__ferry_entry;
      if (index === null || index === undefined) continue;
      const image: Row = { ...row };
      delete image.__ferry_entry;
      delete image['0'];
      current.set(chunk[Number(index)]!, image);
    }
  }
  return current;
}

