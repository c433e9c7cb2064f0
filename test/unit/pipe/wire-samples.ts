import type { ColumnInfo, RowChange, SourceTransaction } from '../../../shared/model/change.ts';
import { seededRandom } from '../../../shared/seeded-random.ts';

/** A deterministic generator, so a failing case can be replayed from its seed. */
export const seeded = seededRandom;

export const column = (name: string, typeCode: number, columnType: string, charset: string | null = null, unsigned = false): ColumnInfo => ({ name, typeCode, columnType, charset, unsigned });

/** A sysbench-like table: id, k, c CHAR(120), pad CHAR(60). */
export const SBTEST_COLUMNS: ColumnInfo[] = [column('id', 3, 'int(11)'), column('k', 3, 'int(11)'), column('c', 254, 'char(120)', 'utf8mb4'), column('pad', 254, 'char(60)', 'utf8mb4')];

function digits(random: () => number, groups: number): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) parts.push(String(Math.floor(random() * 1e11)).padStart(11, '0'));
  return parts.join('-');
}

export function sbtestRow(random: () => number, id: number): Record<string, unknown> {
  return { id, k: Math.floor(random() * 100000), c: digits(random, 10), pad: digits(random, 5) };
}

/** One sysbench oltp_write_only transaction on `table`: two updates, a delete and an insert. */
export function sbtestTransaction(random: () => number, seq: number, table = 'sbtest1', columns = SBTEST_COLUMNS): SourceTransaction {
  const id = 1 + Math.floor(random() * 10000);
  const row = sbtestRow(random, id);
  const changes: RowChange[] = [
    { schema: 'sbtest', table, kind: 'update', columns, before: row, after: { ...row, k: (row.k as number) + 1 } },
    { schema: 'sbtest', table, kind: 'update', columns, before: { ...row, k: (row.k as number) + 1 }, after: { ...row, k: (row.k as number) + 1, c: digits(random, 10) } },
    { schema: 'sbtest', table, kind: 'delete', columns, before: row, after: undefined },
    { schema: 'sbtest', table, kind: 'insert', columns, before: undefined, after: sbtestRow(random, id) },
  ];
  return { gtid: `0-1-${seq}`, end: { file: 'mysql-bin.000001', pos: 1000 + seq * 900, gtidSet: `0-1-${seq}` }, timestamp: 1_765_000_000_000 + seq * 1000, changes, bytes: 700 };
}
