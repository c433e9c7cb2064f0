import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { LedgerContent, LedgerOp } from './ledger-check.ts';

export interface TableComparison {
  table: string;
  sourceRows: number;
  targetRows: number;
  same: boolean;
  /** Why not, when not the same. */
  detail?: string;
}

interface TableDigest {
  rows: number;
  checksum: string;
  digest: string;
}

/** Count, CHECKSUM TABLE and a SHA-256 of every row in primary key order. */
async function digestTable(connection: Connection, schema: string, table: string): Promise<TableDigest> {
  const [sums] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE \`${schema}\`.\`${table}\``);
  const [keys] = await connection.query<RowDataPacket[]>(
    "SELECT COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
    [schema, table],
  );
  const order = keys.map((k) => `\`${String(k.c)}\``).join(', ');
  // Rows come as arrays in column order, with strings for dates: the digest sees the values as stored.
  const [rows] = await connection.query<RowDataPacket[][]>({ sql: `SELECT * FROM \`${schema}\`.\`${table}\` ORDER BY ${order}`, rowsAsArray: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))}\n`);
  return { rows: rows.length, checksum: String(sums[0]?.Checksum), digest: hash.digest('hex') };
}

export async function compareTables(source: Connection, target: Connection, schema: string): Promise<TableComparison[]> {
  const [tables] = await source.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [schema]);
  const results: TableComparison[] = [];
  for (const { t } of tables) {
    const table = String(t);
    const s = await digestTable(source, schema, table);
    const d = await digestTable(target, schema, table).catch((error: unknown) => error as Error);
    if (d instanceof Error) {
      results.push({ table, sourceRows: s.rows, targetRows: 0, same: false, detail: `target: ${d.message}` });
      continue;
    }
    const problems = [
      ...(s.rows === d.rows ? [] : [`rows ${s.rows} vs ${d.rows}`]),
      ...(s.checksum === d.checksum ? [] : [`CHECKSUM TABLE ${s.checksum} vs ${d.checksum}`]),
      ...(s.digest === d.digest ? [] : ['ordered row digests differ']),
    ];
    results.push({ table, sourceRows: s.rows, targetRows: d.rows, same: problems.length === 0, ...(problems.length ? { detail: problems.join(', ') } : {}) });
  }
  return results;
}

/** The ledger, items and accounts of one side, for checkLedger. */
export async function readLedgerContent(connection: Connection, schema: string): Promise<LedgerContent> {
  const [ledger] = await connection.query<RowDataPacket[]>(`SELECT seq, op, row_id FROM \`${schema}\`.ledger`);
  const [items] = await connection.query<RowDataPacket[]>(`SELECT id, seq FROM \`${schema}\`.items`);
  const [accounts] = await connection.query<RowDataPacket[]>(`SELECT id, ops, balance FROM \`${schema}\`.accounts`);
  return {
    ledger: ledger.map((r) => ({ seq: Number(r.seq), op: r.op as LedgerOp, rowId: Number(r.row_id) })),
    items: items.map((r) => ({ id: Number(r.id), seq: Number(r.seq) })),
    accounts: accounts.map((r) => ({ id: Number(r.id), ops: Number(r.ops), balance: Number(r.balance) })),
  };
}
