import type { Connection, RowDataPacket } from 'mysql2/promise';
import { BENCH_SCHEMA, VERIFIED_TABLES } from './tables.ts';

async function checksums(connection: Connection): Promise<Map<string, string>> {
  const [rows] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${VERIFIED_TABLES.map((t) => `${BENCH_SCHEMA}.${t}`).join(', ')} EXTENDED`);
  return new Map(rows.map((row) => [String(row.Table), String(row.Checksum)]));
}

async function counts(connection: Connection): Promise<string> {
  const parts = await Promise.all(
    VERIFIED_TABLES.map(async (table) => {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${BENCH_SCHEMA}.${table}`);
      return `${table} ${rows[0]?.n}`;
    }),
  );
  return parts.join(', ');
}

/**
 * Throws unless every benchmark table on `copy` holds exactly the primary's rows
 * (CHECKSUM TABLE over all columns): a path that applied wrong data gets no number.
 */
export async function assertSameContents(primary: Connection, copy: Connection, path: string): Promise<void> {
  const [expected, actual] = await Promise.all([checksums(primary), checksums(copy)]);
  // CHECKSUM TABLE answers NULL for a missing table: equal NULLs prove nothing.
  if (expected.size !== VERIFIED_TABLES.length || [...expected.values()].some((sum) => !/^\d+$/.test(sum))) throw new Error(`cannot checksum the primary's tables: ${JSON.stringify([...expected])}`);
  const differing = [...expected].filter(([table, sum]) => actual.get(table) !== sum).map(([table]) => table);
  if (differing.length > 0) {
    throw new Error(`${path}: contents differ from the primary in ${differing.join(', ')} (rows: primary ${await counts(primary)}; ${path} ${await counts(copy)}); no figure reported`);
  }
}
