import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { ColumnInfo, TableRef } from '../../shared/model/change.ts';
import { describeTableKey } from '../prechecks/table-key.ts';

/** A source table as the copy reads it: its columns as the binlog would describe them, and the key it is read in order of. */
export interface CopyTable {
  ref: TableRef;
  columns: ColumnInfo[];
  /** Key columns in index order (the primary key, else the first unique key of NOT NULL columns). */
  key: string[];
  /** The source's estimate of its rows (information_schema TABLE_ROWS). */
  estimatedRows: number;
}

/**
 * Binlog type codes (node/transform/values.ts reads them) by information_schema DATA_TYPE, so
 * that copied values go through Transform exactly as streamed ones do. JSON is MariaDB's
 * LONGTEXT alias; MySQL's binary JSON is 245.
 */
const TYPE_CODES: Record<string, number> = {
  decimal: 246, tinyint: 1, smallint: 2, int: 3, integer: 3, float: 4, double: 5, real: 5, timestamp: 17, bigint: 8,
  mediumint: 9, date: 10, time: 19, datetime: 18, year: 13, varchar: 15, bit: 16, json: 245,
  enum: 247, set: 248, tinyblob: 252, mediumblob: 252, longblob: 252, blob: 252, tinytext: 252, text: 252,
  mediumtext: 252, longtext: 252, char: 254, binary: 254, varbinary: 15, geometry: 255, point: 255, linestring: 255,
  polygon: 255, multipoint: 255, multilinestring: 255, multipolygon: 255, geometrycollection: 255,
  inet6: 254, inet4: 254, uuid: 254,
};

/** The replicated source tables in copy order (schema, then table name), with what the copy needs of each. */
export async function copyTables(pipeline: RuntimePipeline, connection: Connection): Promise<CopyTable[]> {
  const [tableRows] = await connection.query<RowDataPacket[]>(
    "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COALESCE(TABLE_ROWS, 0) AS n FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
  );
  const tables: CopyTable[] = [];
  for (const row of tableRows) {
    const ref = { schema: String(row.s), table: String(row.t) };
    if (pipeline.mapping.mapTable(ref.schema, ref.table) === undefined) continue;
    const key = await describeTableKey(connection, ref.schema, ref.table);
    if (key === null) {
      throw new FerryError('FERRY_ERR_TABLE_NO_KEY', { table: `${ref.schema}.${ref.table}` });
    }
    tables.push({ ref, columns: await columnsOf(connection, ref), key: key.columns, estimatedRows: Number(row.n) });
  }
  // Byte order, as the copy state compares names (information_schema's order follows a collation).
  return tables.sort((a, b) => compareTables(a.ref, b.ref));
}

export function compareTables(a: TableRef, b: TableRef): number {
  const left = `${a.schema}\u0000${a.table}`;
  const right = `${b.schema}\u0000${b.table}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

async function columnsOf(connection: Connection, ref: TableRef): Promise<ColumnInfo[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, CHARACTER_SET_NAME AS charset FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [ref.schema, ref.table],
  );
  return rows.map((row) => {
    const dataType = String(row.dataType).toLowerCase();
    const columnType = String(row.columnType);
    const typeCode = TYPE_CODES[dataType];
    if (typeCode === undefined) {
      throw new FerryError('FERRY_ERR_VALUE_UNSUPPORTED', { table: `${ref.schema}.${ref.table}`, column: String(row.name), columnType, detail: 'the online copy does not know this column type' });
    }
    return { name: String(row.name), typeCode, columnType, charset: row.charset === null ? null : String(row.charset), unsigned: /unsigned/i.test(columnType) };
  });
}
