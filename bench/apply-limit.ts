import type { Connection, ExecuteValues } from 'mysql2/promise';
import { upsertTail } from '../shared/mysql/flavor.ts';
import { CpuSnapshot, PROCESS, SELF, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import { narrowRow, narrowValues, wideRow } from './rows.ts';
import { chunkStarts } from './sql-runner.ts';
import { NARROW_COLUMNS, WIDE_COLUMNS, narrowTableSql, wideTableSql } from './tables.ts';

/** A schema of its own on the target, outside Ferry's `bench.*`. */
const RAW_SCHEMA = 'bench_raw';
const ROWS_PER_STATEMENT = 500;
const ROWS_PER_TRANSACTION = 1000;

export interface ApplyLimits {
  narrowOneConnection: number;
  narrowFourConnections: number;
  wideOneConnection: number;
  /** The narrow statements prepared once and run with execute() (the binary protocol), 1 connection. */
  narrowPreparedOneConnection: number;
  /** Per run: CPU of the target and of the benchmark's own process (mysql2 sends from there). */
  cpu: { narrowOneConnection: CpuUse; narrowFourConnections: CpuUse; wideOneConnection: CpuUse; narrowPreparedOneConnection: CpuUse };
}

/** A statement to run: text with its values inline (query), or with placeholders and parameters (execute). */
interface Statement {
  sql: string;
  values?: ExecuteValues[];
}

interface TimedApply {
  rowsPerSecond: number;
  cpu: CpuUse;
}

interface RawTable {
  name: string;
  createSql: string;
  columns: string[];
  row: (id: number) => string;
}

const NARROW: RawTable = { name: 'narrow', createSql: narrowTableSql(RAW_SCHEMA), columns: NARROW_COLUMNS, row: narrowRow };
const WIDE: RawTable = { name: 'wide', createSql: wideTableSql(RAW_SCHEMA), columns: WIDE_COLUMNS, row: wideRow };

/** Transactions of 1000 rows, each two 500-row upserts with the values already in the text. */
function transactionsOf(table: RawTable, rows: number): Statement[][] {
  const tail = upsertTail('mariadb', table.columns.slice(1));
  return chunkStarts(0, rows, ROWS_PER_TRANSACTION).map((first) =>
    chunkStarts(first, Math.min(first + ROWS_PER_TRANSACTION, rows), ROWS_PER_STATEMENT).map((start) => {
      const values: string[] = [];
      for (let id = start; id < Math.min(start + ROWS_PER_STATEMENT, rows); id++) values.push(table.row(id));
      return { sql: `INSERT INTO ${RAW_SCHEMA}.${table.name} VALUES ${values.join(',')}${tail}` };
    }),
  );
}

/**
 * The same narrow transactions with placeholders: one statement text for every 500-row
 * upsert (prepared once per connection, mysql2 caches it), its 2,500 values as parameters.
 */
function preparedNarrowTransactionsOf(rows: number): Statement[][] {
  const tail = upsertTail('mariadb', NARROW.columns.slice(1));
  const tuple = `(${NARROW.columns.map(() => '?').join(',')})`;
  const sqlOf = (count: number): string => `INSERT INTO ${RAW_SCHEMA}.${NARROW.name} VALUES ${Array.from({ length: count }, () => tuple).join(',')}${tail}`;
  return chunkStarts(0, rows, ROWS_PER_TRANSACTION).map((first) =>
    chunkStarts(first, Math.min(first + ROWS_PER_TRANSACTION, rows), ROWS_PER_STATEMENT).map((start) => {
      const end = Math.min(start + ROWS_PER_STATEMENT, rows);
      const values: ExecuteValues[] = [];
      for (let id = start; id < end; id++) values.push(...narrowValues(id));
      return { sql: sqlOf(end - start), values };
    }),
  );
}

/**
 * Rows/s of the built transactions into an empty copy of the table, spread over the
 * connections, and the CPU used meanwhile (building the statement text is not counted).
 */
async function timeApply(connections: Connection[], table: RawTable, rows: number, cpuOf: Record<string, CpuSubject>, transactions = transactionsOf(table, rows)): Promise<TimedApply> {
  await connections[0]!.query(`DROP TABLE IF EXISTS ${RAW_SCHEMA}.${table.name}`);
  await connections[0]!.query(table.createSql);
  let next = 0;
  const cpu = new CpuSnapshot({ ...cpuOf, [PROCESS.bench]: SELF });
  const started = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      while (next < transactions.length) {
        const statements = transactions[next++]!;
        await connection.beginTransaction();
        for (const { sql, values } of statements) {
          if (values) await connection.execute(sql, values);
          else await connection.query(sql);
        }
        await connection.commit();
      }
    }),
  );
  const rowsPerSecond = Math.round(rows / ((performance.now() - started) / 1000));
  return { rowsPerSecond, cpu: cpu.since(rows) };
}

/**
 * The write side's ceiling: mysql2 multi-row INSERT ... ON DUPLICATE KEY UPDATE, as Ferry's
 * loader writes them, with nothing to read, decode or format; and the narrow ones again as
 * prepared statements in the binary protocol. Needs four connections to the
 * target; drops its schema afterwards. `cpuOf` names the other processes to measure (the
 * target server).
 */
export async function measureApplyLimits(target: Connection[], narrowRows: number, wideRows: number, cpuOf: Record<string, CpuSubject>): Promise<ApplyLimits> {
  if (target.length < 4) throw new Error('the apply limit needs four target connections');
  await target[0]!.query(`CREATE DATABASE IF NOT EXISTS ${RAW_SCHEMA}`);
  try {
    const narrowOne = await timeApply(target.slice(0, 1), NARROW, narrowRows, cpuOf);
    const narrowFour = await timeApply(target.slice(0, 4), NARROW, narrowRows, cpuOf);
    const wideOne = await timeApply(target.slice(0, 1), WIDE, wideRows, cpuOf);
    const preparedOne = await timeApply(target.slice(0, 1), NARROW, narrowRows, cpuOf, preparedNarrowTransactionsOf(narrowRows));
    return {
      narrowOneConnection: narrowOne.rowsPerSecond,
      narrowFourConnections: narrowFour.rowsPerSecond,
      wideOneConnection: wideOne.rowsPerSecond,
      narrowPreparedOneConnection: preparedOne.rowsPerSecond,
      cpu: { narrowOneConnection: narrowOne.cpu, narrowFourConnections: narrowFour.cpu, wideOneConnection: wideOne.cpu, narrowPreparedOneConnection: preparedOne.cpu },
    };
  } finally {
    await target[0]!.query(`DROP DATABASE IF EXISTS ${RAW_SCHEMA}`);
  }
}
