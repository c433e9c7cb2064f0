import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Row, SourcePosition } from '../../shared/model/change.ts';
import type { ConflictDecision, ConflictKind, ConflictPolicy, ConflictRecord, WireRow } from '../../shared/model/conflict.ts';
import { quoteIdentifier } from '../../shared/mysql/flavor.ts';

/** The DDL of `<systemSchema>.conflicts` (CheckpointStore.ensureTables creates it). */
export function conflictsTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema)}.conflicts (
      id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
      pipeline VARCHAR(191) NOT NULL,
      table_name VARCHAR(400) NOT NULL,
      row_key TEXT NOT NULL,
      kind VARCHAR(16) NOT NULL,
      incoming LONGTEXT NULL,
      current LONGTEXT NULL,
      policy VARCHAR(16) NOT NULL,
      decision VARCHAR(16) NOT NULL,
      position TEXT NOT NULL,
      detected_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
      KEY (pipeline, id)
    ) ENGINE=InnoDB`;
}

/** A row image as JSON (shared/model/conflict.ts's WireRow): Buffers as {hex}, bigints and exact literals as text. */
export function wireRow(row: Row): WireRow {
  const out: WireRow = {};
  for (const column in row) {
    const value = row[column];
    if (value === null || value === undefined) out[column] = null;
    else if (Buffer.isBuffer(value)) out[column] = { hex: value.toString('hex') };
    else if (typeof value === 'number' || typeof value === 'string') out[column] = value;
    else out[column] = (value as { toString(): string }).toString();
  }
  return out;
}

/** A source position as one line: the GTID set when there is one, else file:pos. */
export function positionText(position: SourcePosition): string {
  return position.gtidSet !== undefined && position.gtidSet !== '' ? position.gtidSet : `${position.file}:${position.pos}`;
}

/** Inserts `records` into the conflicts table, in the caller's transaction. */
export async function recordConflicts(connection: PoolConnection, schema: string, records: ConflictRecord[]): Promise<void> {
  if (records.length === 0) return;
  const values = records.map((r) => [r.pipeline, r.table, JSON.stringify(r.key), r.kind, r.incoming === null ? null : JSON.stringify(r.incoming), r.current === null ? null : JSON.stringify(r.current), r.policy, r.decision, r.position]);
  await connection.query(
    `INSERT INTO ${quoteIdentifier(schema)}.conflicts (pipeline, table_name, row_key, kind, incoming, current, policy, decision, position) VALUES ?`,
    [values],
  );
}

/** The pipeline's conflicts: how many in all, and the newest `limit`, newest first. */
export async function readRecentConflicts(pool: Pool, systemSchema: string, pipeline: string, limit: number): Promise<{ total: number; recent: ConflictRecord[] }> {
  const table = `${quoteIdentifier(systemSchema)}.conflicts`;
  const [counts] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS total FROM ${table} WHERE pipeline = ?`, [pipeline]);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT pipeline, table_name, row_key, kind, incoming, current, policy, decision, position, UNIX_TIMESTAMP(detected_at) AS at FROM ${table} WHERE pipeline = ? ORDER BY id DESC LIMIT ?`,
    [pipeline, limit],
  );
  return {
    total: Number(counts[0]?.total ?? 0),
    recent: rows.map((row) => ({
      pipeline: String(row.pipeline),
      table: String(row.table_name),
      key: JSON.parse(String(row.row_key)) as WireRow,
      kind: String(row.kind) as ConflictKind,
      incoming: row.incoming === null ? null : JSON.parse(String(row.incoming)) as WireRow,
      current: row.current === null ? null : JSON.parse(String(row.current)) as WireRow,
      policy: String(row.policy) as ConflictPolicy,
      decision: String(row.decision) as ConflictDecision,
      position: String(row.position),
      at: new Date(Number(row.at) * 1000).toISOString(),
    })),
  };
}
