import type { Connection, RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier, quoteTable, upsertTail, type Flavor } from '../../shared/mysql/flavor.ts';
import { appendLiteral } from '../load/sql-literal.ts';
import type { KeyValues } from './row-sql.ts';
import type { TablePair } from './table-pair.ts';
import type { TableDifferences } from './table-verifier.ts';

const literal = (value: unknown): string => {
  const parts: string[] = [];
  appendLiteral(parts, value);
  return parts.join('');
};

const keyMatch = (columns: readonly string[], key: KeyValues): string => columns.map((column, i) => `${quoteIdentifier(column)} = ${literal(key[i])}`).join(' AND ');

/**
 * The statements that make the target's rows of these keys what the source holds now: the
 * source row written by key (insert or update, as Load writes), a row the source no longer has
 * (or never had: an extra) deleted. Source rows are read now, so a table written meanwhile is
 * mended to its latest state. Literals only, so a DBA can read and run them as printed.
 */
export async function repairStatements(pair: TablePair, found: TableDifferences, source: Connection, targetFlavor: Flavor): Promise<string[]> {
  const statements: string[] = [];
  const targetTable = quoteTable(pair.target.schema, pair.target.table);
  const targetColumns = pair.columns.target.map(quoteIdentifier).join(', ');
  // Each key as the source holds it now: an extra row the source has gained since is written, not deleted.
  for (const key of [...found.missing, ...found.different, ...found.extra]) {
    const [rows] = await source.query<RowDataPacket[]>(
      `SELECT ${pair.columns.source.map(quoteIdentifier).join(', ')} FROM ${quoteTable(pair.source.schema, pair.source.table)} WHERE ${pair.key.source.map((c) => `${quoteIdentifier(c)} = ?`).join(' AND ')}`,
      [...key],
    );
    const row = rows[0];
    if (row === undefined) {
      statements.push(`DELETE FROM ${targetTable} WHERE ${keyMatch(pair.key.target, key)};`);
      continue;
    }
    const values = pair.columns.source.map((column) => literal(row[column])).join(', ');
    statements.push(`INSERT INTO ${targetTable} (${targetColumns}) VALUES (${values})${upsertTail(targetFlavor, pair.columns.target)};`);
  }
  return statements;
}
