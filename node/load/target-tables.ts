import type { Pool } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';

/** What Load must know of a target table. */
export interface TargetTable extends TableRef {
  /** Columns that may be written (generated columns left out), in table order. */
  writable: Set<string>;
  /** Every column, generated ones included. */
  columns: Set<string>;
  /** Columns of the key that identifies a row: the primary key, else a NOT NULL unique key. */
  key: string[];
  /** Every unique key including the primary key: the write-set of a change. */
  uniqueKeys: string[][];
}

interface ColumnRow {
  COLUMN_NAME: string;
  EXTRA: string;
  IS_NULLABLE: string;
}

interface IndexRow {
  INDEX_NAME: string;
  COLUMN_NAME: string;
  NON_UNIQUE: number | string;
}

/** Reads and caches target table metadata; DDL invalidates an entry. */
export class TargetTables {
  private readonly cache = new Map<string, Promise<TargetTable>>();

  constructor(private readonly pool: Pool) {}

  get(ref: TableRef): Promise<TargetTable> {
    const name = `${ref.schema}.${ref.table}`;
    let entry = this.cache.get(name);
    if (!entry) {
      entry = this.load(ref);
      this.cache.set(name, entry);
      entry.catch(() => this.cache.delete(name));
    }
    return entry;
  }

  invalidate(ref?: TableRef): void {
    if (ref) this.cache.delete(`${ref.schema}.${ref.table}`);
    else this.cache.clear();
  }

  private async load(ref: TableRef): Promise<TargetTable> {
    const [columns] = await this.pool.query(
      'SELECT COLUMN_NAME, EXTRA, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [ref.schema, ref.table],
    );
    const columnRows = columns as ColumnRow[];
    if (columnRows.length === 0) {
      throw new FerryError('FERRY_ERR_APPLY_FAILED', { kind: 'changes', table: `${ref.schema}.${ref.table}`, key: '-', detail: 'the table does not exist on the target' });
    }
    const [indexes] = await this.pool.query(
      'SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX',
      [ref.schema, ref.table],
    );
    const nullable = new Set(columnRows.filter((c) => c.IS_NULLABLE === 'YES').map((c) => c.COLUMN_NAME));
    const unique = new Map<string, string[]>();
    for (const row of indexes as IndexRow[]) {
      if (Number(row.NON_UNIQUE) !== 0) continue;
      const list = unique.get(row.INDEX_NAME) ?? [];
      list.push(row.COLUMN_NAME);
      unique.set(row.INDEX_NAME, list);
    }
    const primary = unique.get('PRIMARY');
    const key = primary ?? [...unique.values()].find((cols) => cols.every((c) => !nullable.has(c)));
    if (!key) throw new FerryError('FERRY_ERR_TABLE_NO_KEY', { table: `${ref.schema}.${ref.table} (target)` });
    return {
      schema: ref.schema,
      table: ref.table,
      writable: new Set(columnRows.filter((c) => !/GENERATED|VIRTUAL|PERSISTENT|STORED/i.test(c.EXTRA)).map((c) => c.COLUMN_NAME)),
      columns: new Set(columnRows.map((c) => c.COLUMN_NAME)),
      key,
      uniqueKeys: [...unique.values()],
    };
  }
}
