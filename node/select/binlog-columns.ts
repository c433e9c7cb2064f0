import type { ColumnInfo } from '../../shared/model/change.ts';

/** The parts of a zongji table-map entry we read (zongji has no types for them). */
export interface ZongjiTableMapEntry {
  parentSchema: string;
  tableName: string;
  columns: Array<{ name: string; charset: string | null; type: number }>;
  columnSchemas: Array<{ COLUMN_NAME: string; COLUMN_TYPE: string; CHARACTER_SET_NAME: string | null; UNSIGNED?: boolean }>;
}

/**
 * Column descriptions of a table as the binlog wrote them. With binlog_row_metadata=FULL the
 * names come from the TABLE_MAP event itself, so rows written before an ALTER TABLE still map
 * to the columns they had then.
 */
export function binlogColumns(entry: ZongjiTableMapEntry): ColumnInfo[] {
  return entry.columns.map((column, index) => {
    const schema = entry.columnSchemas[index];
    const columnType = schema?.COLUMN_TYPE ?? '';
    return {
      name: column.name,
      typeCode: column.type,
      columnType,
      charset: column.charset ?? null,
      unsigned: schema?.UNSIGNED ?? columnType.includes('unsigned'),
    };
  });
}
