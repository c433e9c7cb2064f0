import type { Connection } from 'mysql2/promise';
import { readGtidPos } from './gtid-pos.ts';
import { narrowRow, wideRow } from './rows.ts';
import { chunkStarts, runSpread } from './sql-runner.ts';
import { sysbenchWriteOnly, type SysbenchOptions } from './sysbench-write-only.ts';
import { BENCH_SCHEMA } from './tables.ts';

/** Rows per scenario; `--quick` uses a third of the full sizes, roughly. */
export interface BacklogSizes {
  narrowInserts: number;
  /** Rows of the narrow table updated by key; a third of them are then deleted. Multiple of 300. */
  narrowUpdates: number;
  singleRowTransactions: number;
  wideInserts: number;
  wideUpdates: number;
  /** sysbench oltp_write_only transactions of scenario (e), 4 row changes each. */
  oltpTransactions: number;
}

export const QUICK_SIZES: BacklogSizes = { narrowInserts: 100_000, narrowUpdates: 51_000, singleRowTransactions: 10_000, wideInserts: 20_000, wideUpdates: 5_000, oltpTransactions: 5_000 };
export const FULL_SIZES: BacklogSizes = { narrowInserts: 300_000, narrowUpdates: 153_000, singleRowTransactions: 30_000, wideInserts: 60_000, wideUpdates: 15_000, oltpTransactions: 15_000 };

/**
 * Scenario (e)'s tables: sysbench's sbtest1..4 of 10,000 rows (its defaults) in the benchmark
 * schema, prepared on every server before the backlog starts (bench/servers.ts), so the
 * backlog holds only the transactions.
 */
export const OLTP_TABLES: Omit<SysbenchOptions, 'transactions'> = { schema: BENCH_SCHEMA, tables: 4, tableSize: 10_000, seed: 17 };
/** sysbench oltp_write_only: update k by key, update c by key, delete by key, insert that key again. */
const OLTP_ROW_CHANGES_PER_TRANSACTION = 4;

/** One scenario as written on the primary: its row changes lie between the two GTID positions. */
export interface WrittenScenario {
  key: string;
  label: string;
  rowChanges: number;
  transactions: number;
  fromGtid: string;
  toGtid: string;
  writeSeconds: number;
}

interface Scenario {
  key: string;
  label: string;
  /** Writes the scenario on the primary over the connections; returns the rows it changed. */
  write: (writers: Connection[]) => Promise<number>;
  rowChanges: number;
  transactions: number;
}

/** SQL texts in order; texts of one group may run concurrently, groups run one after another. */
const spreadGroups =
  (groups: string[][]) =>
  async (writers: Connection[]): Promise<number> => {
    let affected = 0;
    for (const group of groups) affected += await runSpread(writers, group);
    return affected;
  };

/**
 * Scenario (e): sysbench transactions from every writer at once, each BEGIN, four statements,
 * COMMIT, so each commits alone in the binlog. Every statement changes one row (the ids
 * exist: a transaction deletes and inserts the same id), so the rows changed are counted,
 * not read back.
 */
const oltpWrite =
  (transactions: number) =>
  async (writers: Connection[]): Promise<number> => {
    // sysbenchWriteOnly gives each connection the same share, rounded up.
    if (transactions % writers.length !== 0) throw new Error(`oltpTransactions (${transactions}) must be a multiple of the ${writers.length} writers`);
    const committed = await sysbenchWriteOnly(writers, { ...OLTP_TABLES, transactions });
    return committed * OLTP_ROW_CHANGES_PER_TRANSACTION;
  };

const T = BENCH_SCHEMA;
/** Ids of scenario (c)'s inserts: clear of the narrow table's bulk rows. */
const SINGLE_ROW_INSERT_BASE = 10_000_000;

function scenarios(sizes: BacklogSizes): Scenario[] {
  const inserts = chunkStarts(0, sizes.narrowInserts, 100).map((start) => `INSERT INTO ${T}.narrow VALUES ${rowsOf(start, Math.min(start + 100, sizes.narrowInserts), narrowRow)}`);
  const updates = chunkStarts(0, sizes.narrowUpdates, 100).map((start) => `UPDATE ${T}.narrow SET qty = qty + 1, price = price + 1, name = CONCAT('upd-', id) WHERE id >= ${start} AND id < ${start + 100}`);
  // Every third id of a 300-id chunk: 100 deletes a transaction.
  const deletes = chunkStarts(0, sizes.narrowUpdates, 300).map((start) => `DELETE FROM ${T}.narrow WHERE id >= ${start} AND id < ${start + 300} AND id % 3 = 0`);
  const wideInserts = chunkStarts(0, sizes.wideInserts, 100).map((start) => `INSERT INTO ${T}.wide VALUES ${rowsOf(start, Math.min(start + 100, sizes.wideInserts), wideRow)}`);
  const wideUpdates = chunkStarts(0, sizes.wideUpdates, 100).map(
    (start) => `UPDATE ${T}.wide SET i1 = i1 + 1, dbl = dbl * 2, status = 'paid', note = CONCAT(note, ' updated'), updated = '2026-11-24 08:00:00.000123' WHERE id >= ${start} AND id < ${start + 100}`,
  );
  return [
    { key: 'narrow_insert', label: '(a) narrow, inserts, 100-row txns', write: spreadGroups([inserts]), rowChanges: sizes.narrowInserts, transactions: inserts.length },
    { key: 'narrow_update_delete', label: '(b) narrow, updates then deletes, 100-row txns', write: spreadGroups([updates, deletes]), rowChanges: sizes.narrowUpdates + sizes.narrowUpdates / 3, transactions: updates.length + deletes.length },
    { key: 'narrow_single_row', label: '(c) narrow, 1-row txns: insert/update/delete', write: spreadGroups([singleRowTexts(sizes.singleRowTransactions)]), rowChanges: sizes.singleRowTransactions, transactions: sizes.singleRowTransactions },
    { key: 'wide_insert_update', label: '(d) wide 20 columns, inserts then updates, 100-row txns', write: spreadGroups([wideInserts, wideUpdates]), rowChanges: sizes.wideInserts + sizes.wideUpdates, transactions: wideInserts.length + wideUpdates.length },
    {
      key: 'oltp_write_only',
      label: '(e) sysbench oltp_write_only, 4-row txns, indexed',
      write: oltpWrite(sizes.oltpTransactions),
      rowChanges: sizes.oltpTransactions * OLTP_ROW_CHANGES_PER_TRANSACTION,
      transactions: sizes.oltpTransactions,
    },
  ];
}

function rowsOf(from: number, to: number, row: (id: number) => string): string {
  const rows: string[] = [];
  for (let id = from; id < to; id++) rows.push(row(id));
  return rows.join(',');
}

/**
 * Scenario (c): single-statement autocommit transactions, cycling insert (new ids), update
 * (ids 3k+1) and delete (ids 3k+2). Scenario (b) deletes only ids 3k, so every update and
 * delete here finds its row. 100 statements per round trip keep the writing quick.
 */
function singleRowTexts(count: number): string[] {
  const statements: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(i / 3);
    if (i % 3 === 0) statements.push(`INSERT INTO ${T}.narrow VALUES ${narrowRow(SINGLE_ROW_INSERT_BASE + k)}`);
    else if (i % 3 === 1) statements.push(`UPDATE ${T}.narrow SET qty = qty + 7, at = '2026-11-24 09:00:00.000001' WHERE id = ${3 * k + 1}`);
    else statements.push(`DELETE FROM ${T}.narrow WHERE id = ${3 * k + 2}`);
  }
  return chunkStarts(0, statements.length, 100).map((start) => statements.slice(start, start + 100).join(';\n'));
}

/**
 * Writes every scenario into the primary, one after another, and records the primary's GTID
 * position between them. Fails when a statement did not change the rows it should: the
 * scenario would not be the one described.
 */
export async function writeBacklogs(writers: Connection[], sizes: BacklogSizes, progress: (line: string) => void): Promise<WrittenScenario[]> {
  if (sizes.narrowUpdates % 300 !== 0 || sizes.narrowUpdates > sizes.narrowInserts) throw new Error('narrowUpdates must be a multiple of 300 and at most narrowInserts');
  if (sizes.singleRowTransactions + 2 > sizes.narrowInserts || sizes.wideUpdates > sizes.wideInserts) throw new Error('backlog sizes are inconsistent');
  const written: WrittenScenario[] = [];
  let fromGtid = await readGtidPos(writers[0]!);
  for (const scenario of scenarios(sizes)) {
    const started = performance.now();
    const affected = await scenario.write(writers);
    if (affected !== scenario.rowChanges) throw new Error(`backlog ${scenario.key}: ${affected} rows changed, expected ${scenario.rowChanges}`);
    const toGtid = await readGtidPos(writers[0]!);
    const { write: _write, ...described } = scenario;
    written.push({ ...described, fromGtid, toGtid, writeSeconds: (performance.now() - started) / 1000 });
    progress(`${scenario.label}: ${scenario.rowChanges} row changes in ${scenario.transactions} transactions`);
    fromGtid = toGtid;
  }
  return written;
}
