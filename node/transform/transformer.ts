import type { ColumnInfo, Row, TargetChange } from '../../shared/model/change.ts';
import type { ExtractedChange } from '../extract/extractor.ts';
import { toSqlValue } from './values.ts';

/**
 * Transform: renames schema, table and columns, drops excluded columns, and turns binlog
 * values into exact target parameters.
 */
export function transformChange({ change, mapped }: ExtractedChange): TargetChange {
  const table = `${change.schema}.${change.table}`;
  const convert = (image: Row | undefined): Row | undefined => (image === undefined ? undefined : convertRow(image, change.columns, mapped.columns.identity ? undefined : mapped.columns.mapColumn.bind(mapped.columns), table));
  const out: TargetChange = { schema: mapped.target.schema, table: mapped.target.table, kind: change.kind };
  const before = convert(change.before);
  const after = convert(change.after);
  if (before) out.before = before;
  if (after) out.after = after;
  return out;
}

function convertRow(image: Row, columns: ColumnInfo[], mapColumn: ((name: string) => string | undefined) | undefined, table: string): Row {
  const row: Row = {};
  for (const column of columns) {
    const name = mapColumn ? mapColumn(column.name) : column.name;
    if (name === undefined) continue;
    row[name] = toSqlValue(image[column.name], column, table);
  }
  return row;
}
