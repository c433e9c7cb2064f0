import type { Connection, RowDataPacket } from 'mysql2/promise';
import { BENCH_SCHEMA, VERIFIED_TABLES } from './tables.ts';

/** Which tables to compare: the ordinary benchmark's by default. */
export interface VerifiedTables {
  schema: string;
  tables: string[];
}

const BENCH_TABLES: VerifiedTables = { schema: BENCH_SCHEMA, tables: VERIFIED_TABLES };

async function checksums(connection: Connection, { schema, tables }: VerifiedTables): Promise<Map<string, string>> {
  const [rows] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${tables.map((t) => `${schema}.${t}`).join(', ')} EXTENDED`);
  return new Map(rows.map((row) => [String(row.Table), String(row.Checksum)]));
}

async function counts(connection: Connection, { schema, tables }: VerifiedTables): Promise<string> {
  const parts = await Promise.all(
    tables.map(async (table) => {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${schema}.${table}`);
      return `${table} ${rows[0]?.n}`;
    }),
  );
  return parts.join(', ');
}

/**
 * Throws unless every benchmark table on `copy` holds exactly the primary's rows
 * (CHECKSUM TABLE over all columns): a path that applied wrong data gets no number.
 */
export async function assertSameContents(primary: Connection, copy: Connection, path: string, verified: VerifiedTables = BENCH_TABLES): Promise<void> {
  const [expected, actual] = await Promise.all([checksums(primary, verified), checksums(copy, verified)]);
  // CHECKSUM TABLE answers NULL for a missing table: equal NULLs prove nothing.
  if (expected.size !== verified.tables.length || [...expected.values()].some((sum) => !/^\d+$/.test(sum))) throw new Error(`cannot checksum the primary's tables: ${JSON.stringify([...expected])}`);
  const differing = [...expected].filter(([table, sum]) => actual.get(table) !== sum).map(([table]) => table);
  if (differing.length > 0) {
    throw new Error(`${path}: contents differ from the primary in ${differing.join(', ')} (rows: primary ${await counts(primary, verified)}; ${path} ${await counts(copy, verified)}); no figure reported`);
  }
}
