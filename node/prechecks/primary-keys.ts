import { describeError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { isConnectionError, tableName, type SqlClient } from './sql.ts';
import { chooseTableKey, readIndexes } from './table-key.ts';
import type { CheckOutcome } from './types.ts';

const ER_NO_SUCH_TABLE = 1146;

/** Every replicated table needs a key to apply changes by; the failure names every table without one. */
export async function checkPrimaryKeys(client: SqlClient, tables: readonly TableRef[]): Promise<CheckOutcome> {
  const keyless: string[] = [];
  const keylessNames: string[] = [];
  const unreadable: string[] = [];
  for (const ref of tables) {
    try {
      const indexes = await readIndexes(client, ref);
      if (chooseTableKey(indexes)) continue;
      const nullable = indexes.find((index) => index.unique && index.columns.some((c) => c.nullable));
      const nullColumns = nullable?.columns.filter((c) => c.nullable).map((c) => c.name ?? '(expression)').join(', ');
      keylessNames.push(tableName(ref));
      keyless.push(nullable ? `${tableName(ref)} (unique key ${nullable.name} allows NULL in ${nullColumns})` : tableName(ref));
    } catch (error) {
      if (isConnectionError(error)) throw error;
      const errno = (error as { errno?: unknown }).errno;
      unreadable.push(`${tableName(ref)} (${errno === ER_NO_SUCH_TABLE ? 'does not exist' : describeError(error)})`);
    }
  }
  if (keyless.length === 0 && unreadable.length === 0) {
    return { ok: true, detail: `all ${tables.length} tables have a primary key or a unique key over NOT NULL columns` };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (keyless.length > 0) {
    problems.push(`${keyless.length} of ${tables.length} tables have no primary key and no unique key over NOT NULL columns: ${keyless.join(', ')}`);
    fixes.push('Add a primary key to each listed table (ALTER TABLE ... ADD PRIMARY KEY (...)), or make every column of one of its unique keys NOT NULL, or leave the table out of the pipeline: without a key a change cannot be applied exactly once.');
  }
  if (unreadable.length > 0) {
    problems.push(`cannot read the indexes of ${unreadable.join(', ')}`);
    fixes.push('Check the table names of the pipeline and that the source user has SELECT on them.');
  }
  const onlyKeyless = unreadable.length === 0;
  return {
    ok: false,
    detail: problems.join('; '),
    instruction: fixes.join(' '),
    ...(onlyKeyless ? { error: { code: 'FERRY_ERR_TABLE_NO_KEY' as const, details: { table: keylessNames.join(', '), tables: keylessNames } } } : {}),
  };
}
