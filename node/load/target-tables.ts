import type { Pool } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { identifyingKeys, readIndexes, type IndexInfo } from '../prechecks/index.ts';

/** How much of a value a prefix key part (`UNIQUE (name(10))`) compares. */
export interface KeyPrefix {
  length: number;
  /** True when `length` counts bytes (a binary column), false when it counts characters. */
  bytes: boolean;
}

/** A unique key as the write-set compares it. */
export interface UniqueKey {
  /** Column parts in index order (expression parts of a functional index left out). */
  columns: string[];
  /** Per column, the prefix the server compares; absent, or undefined for a part: the whole value. */
  prefixes?: Array<KeyPrefix | undefined>;
}

/** What Load must know of a target table. */
export interface TargetTable extends TableRef {
  /** Columns that may be written (generated columns left out), in table order. */
  writable: Set<string>;
  /** Every column, generated ones included. */
  columns: Set<string>;
  /** Columns of the key that identifies a row: the primary key, else a NOT NULL unique key (chooseTableKey). */
  key: string[];
  /**
   * Every key that identifies a row, `key` first (identifyingKeys): a batch whose rows lack a
   * column of `key` (the rule leaves out the target's own id) is applied by the first one its
   * rows hold. @default [key]
   */
  keys?: string[][];
  /** Every unique key including the primary key: the write-set of a change. */
  uniqueKeys: UniqueKey[];
  /** information_schema's DATA_TYPE per column, lower case: how conflict detection compares values. @default none */
  types?: Map<string, string>;
  /** Every column in table order with its COLUMN_TYPE and charset: whether the source's row events fit (node/load/replay-eligibility.ts). @default none */
  definition?: TargetColumn[];
  /** The table has triggers, which replayed row events do not fire. @default false */
  triggers?: boolean;
  /** Replay eligibility per source column list, cached with the table (node/load/replay-eligibility.ts). @default none */
  replayVerdicts?: Map<string, string | null>;
}

/** A target column as replay compares it with the source's. */
export interface TargetColumn {
  name: string;
  /** COLUMN_TYPE, e.g. 'int(11) unsigned', 'varchar(40)'. */
  type: string;
  /** CHARACTER_SET_NAME; null for non-text columns. */
  charset: string | null;
}

interface ColumnRow {
  COLUMN_NAME: string;
  EXTRA: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  CHARACTER_SET_NAME: string | null;
}

/** Column types whose index prefixes count bytes. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

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
      'SELECT COLUMN_NAME, EXTRA, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [ref.schema, ref.table],
    );
    const columnRows = columns as ColumnRow[];
    if (columnRows.length === 0) {
      throw new FerryError('FERRY_ERR_APPLY_FAILED', { kind: 'changes', table: `${ref.schema}.${ref.table}`, key: '-', detail: 'the table does not exist on the target' });
    }
    // SHOW INDEX, in the server's key order: the same choice of key as the start-up check makes.
    const indexes = await readIndexes(this.pool, ref);
    const keys = identifyingKeys(indexes);
    const key = keys[0];
    if (!key) throw new FerryError('FERRY_ERR_TABLE_NO_KEY', { table: `${ref.schema}.${ref.table} (target)` });
    const [triggerRows] = await this.pool.query(
      'SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?',
      [ref.schema, ref.table],
    );
    const binary = new Set(columnRows.filter((c) => BINARY_TYPES.has(c.DATA_TYPE.toLowerCase())).map((c) => c.COLUMN_NAME.toLowerCase()));
    return {
      schema: ref.schema,
      table: ref.table,
      writable: new Set(columnRows.filter((c) => !/GENERATED|VIRTUAL|PERSISTENT|STORED/i.test(c.EXTRA)).map((c) => c.COLUMN_NAME)),
      columns: new Set(columnRows.map((c) => c.COLUMN_NAME)),
      key: key.columns,
      keys: keys.map((k) => k.columns),
      uniqueKeys: indexes.filter((index) => index.unique).map((index) => uniqueKeyOf(index, binary)),
      types: new Map(columnRows.map((c) => [c.COLUMN_NAME, c.DATA_TYPE.toLowerCase()])),
      definition: columnRows.map((c) => ({ name: c.COLUMN_NAME, type: c.COLUMN_TYPE, charset: c.CHARACTER_SET_NAME })),
      triggers: Number((triggerRows as Array<{ n: number | string }>)[0]?.n ?? 0) > 0,
      replayVerdicts: new Map(),
    };
  }
}

/**
 * An index as the write-set compares it. An expression part is left out: the key it leaves
 * is coarser, so it only finds more conflicts, never fewer.
 */
export function uniqueKeyOf(index: IndexInfo, binaryColumns: ReadonlySet<string>): UniqueKey {
  const parts = index.columns.filter((c): c is { name: string; nullable: boolean; prefix?: number } => c.name !== null);
  const columns = parts.map((c) => c.name);
  if (parts.every((c) => c.prefix === undefined)) return { columns };
  return { columns, prefixes: parts.map((c) => (c.prefix === undefined ? undefined : { length: c.prefix, bytes: binaryColumns.has(c.name.toLowerCase()) })) };
}
