import type { Row, TargetChange } from '../../shared/model/change.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { hasNullPart, keyOf, mayHaveNullPart } from './key.ts';
import type { TargetTable } from './target-tables.ts';

/** The net effect of a batch on one table: rows to delete by key, rows to write whole. */
export interface TableOperations {
  table: TargetTable;
  /** The key the batch's rows are applied by: table.key, or the first of table.keys they hold. */
  key: string[];
  /** Rows that must be gone after the batch (images: only their key columns count). */
  deletes: Row[];
  /** Final images of rows that must exist after the batch. */
  writes: Row[];
  /** Images with the keys of `writes` whose row may exist before the batch (not pure inserts). */
  replaced: Row[];
  /** How many of `writes`, from the start, the batch inserted (no earlier version on the target). */
  created: number;
  /** Per key, what the target should hold before the batch and after it: only when detecting conflicts. */
  expectations?: KeyExpectation[];
}

/** One key of a batch as conflict detection sees it (node/load/conflict-check.ts). */
export interface KeyExpectation {
  /** An image holding the key. */
  keyRow: Row;
  /** The image the target should hold before the batch; null when it should hold none (an insert). */
  expected: Row | null;
  /** The image it holds after the batch; null when the row ends deleted. */
  final: Row | null;
}

interface NetChange {
  /** An image holding the row's key (statements read only its key columns). */
  keyRow: Row;
  /** Final image, or null when the row ends deleted. */
  final: Row | null;
  /** True when the batch inserted the row, so no earlier version can exist on the target. */
  createdHere: boolean;
  /** Detection only: the first change's before image (null for an insert), restarted at a chain break. */
  expected?: Row | null;
}

/**
 * Folds a batch's changes of one table into one net change per key: insert+update is one
 * insert, insert+delete is nothing, update+delete is a delete, and an update that changes
 * the key deletes the old key and writes the new one. Batches end on source transaction
 * boundaries, so the final images are a consistent state of the source table.
 *
 * `mayExist`: a row the batch inserts may be on the target already, so an insert followed by
 * a delete still deletes. True while the stream replays an online copy's window
 * (node/copy/): a chunk read after the insert may have copied the row.
 */
export function mergeTableChanges(table: TargetTable, changes: TargetChange[], mayExist = false, detect = false): TableOperations {
  const first = changes[0];
  const columns = keyHeldBy(table, first?.after ?? first?.before);
  const net = new Map<string, NetChange>();
  // Rows whose key has a NULL part: a NULL identifies no row, so each gets an entry of its own.
  let unmatched = 0;
  const touch = (row: Row, createdHere: boolean): NetChange => {
    let key = keyOf(row, columns);
    if (mayHaveNullPart(key) && hasNullPart(row, columns)) {
      assertKeyPresent(table, columns, row);
      key = `\u0002${unmatched++}`;
    }
    let entry = net.get(key);
    if (!entry) {
      entry = { keyRow: row, final: null, createdHere };
      net.set(key, entry);
    }
    return entry;
  };
  // Detection: what each change expects the key to hold. The first change's before image is
  // what the target should hold before the batch; a change whose before image is not the key's
  // image so far follows a change the batch lacks (a mirror's transaction, dropped by Extract,
  // that the target made itself), so the expectation restarts there.
  const expect = detect ? (entry: NetChange, before: Row | null, seen: boolean): void => {
    if (!seen || !sameImage(entry.final, before)) entry.expected = before;
  } : undefined;

  for (const change of changes) {
    if (expect !== undefined) {
      foldExpecting(change, touch, expect, columns);
      continue;
    }
    if (change.kind === 'insert' && change.after) {
      touch(change.after, !mayExist).final = change.after;
    } else if (change.kind === 'delete' && change.before) {
      touch(change.before, false).final = null;
    } else if (change.kind === 'update' && change.before && change.after) {
      const before = touch(change.before, false);
      const after = sameKey(change.before, change.after, columns) ? before : touch(change.after, false);
      if (after !== before) before.final = null;
      after.final = change.after;
    }
  }

  const operations: TableOperations = { table, key: columns, deletes: [], writes: [], replaced: [], created: 0 };
  const rewritten: Row[] = [];
  for (const entry of net.values()) {
    if (entry.final === null) {
      if (!entry.createdHere) operations.deletes.push(entry.keyRow);
    } else if (entry.createdHere) {
      operations.writes.push(entry.final);
    } else {
      rewritten.push(entry.final);
      operations.replaced.push(entry.keyRow);
    }
  }
  operations.created = operations.writes.length;
  for (const row of rewritten) operations.writes.push(row);
  if (detect) operations.expectations = [...net.values()].map((entry) => ({ keyRow: entry.keyRow, expected: entry.expected ?? null, final: entry.final }));
  return operations;
}

/** The fold above with expectations (kept apart so the path without detection stays as it was). */
function foldExpecting(change: TargetChange, touch: (row: Row, createdHere: boolean) => NetChange, expect: (entry: NetChange, before: Row | null, seen: boolean) => void, columns: string[]): void {
  const visit = (row: Row, before: Row | null): NetChange => {
    const entry = touch(row, false);
    expect(entry, before, entry.expected !== undefined);
    return entry;
  };
  if (change.kind === 'insert' && change.after) {
    visit(change.after, null).final = change.after;
  } else if (change.kind === 'delete' && change.before) {
    visit(change.before, change.before).final = null;
  } else if (change.kind === 'update' && change.before && change.after) {
    const before = visit(change.before, change.before);
    const after = sameKey(change.before, change.after, columns) ? before : visit(change.after, null);
    if (after !== before) before.final = null;
    after.final = change.after;
  }
}

/** True when both images hold the same values (null: no row). */
function sameImage(a: Row | null, b: Row | null): boolean {
  if (a === null || b === null) return a === b;
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && keyOf(a, names) === keyOf(b, names);
}

/** True when both images hold the same key, none of it NULL (a NULL part matches nothing). */
function sameKey(a: Row, b: Row, key: string[]): boolean {
  const ka = keyOf(a, key);
  return ka === keyOf(b, key) && !(mayHaveNullPart(ka) && hasNullPart(a, key));
}

/**
 * A change image without a column of the target's key: the table rule dropped it (the
 * start-up check refuses such a rule; a later DDL can still make the target's key one). Each
 * such row would be written with the column's default, and deleted by nothing: stop instead.
 */
function assertKeyPresent(table: TargetTable, columns: string[], row: Row): void {
  const missing = columns.filter((column) => !(column in row));
  if (missing.length === 0) return;
  throw new FerryError('FERRY_ERR_MAPPING_DROPS_KEY', {
    table: `${table.schema}.${table.table}`,
    key: columns.join(', '),
    detail: `the changes reaching the target have no column ${missing.map((c) => `'${c}'`).join(', ')}`,
  });
}

/** The first identifying key whose columns `row` holds all of; table.key when none does (assertKeyPresent then stops). */
function keyHeldBy(table: TargetTable, row: Row | undefined): string[] {
  if (row === undefined || table.keys === undefined || table.keys.length <= 1) return table.key;
  return table.keys.find((columns) => columns.every((column) => column in row)) ?? table.key;
}
