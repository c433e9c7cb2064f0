import type { ColumnInfo, Row, TableRef, TargetChange } from '../../shared/model/change.ts';
import type { ColumnMapper } from '../../shared/model/table-mapping.ts';
import type { ExtractedChange } from '../extract/extractor.ts';
import { toSqlValue } from './values.ts';

/**
 * Transform: renames schema, table and columns, drops excluded columns, and turns binlog
 * values into exact target parameters. Runs for every row change: no closures per call.
 */
export function transformChange({ change, mapped }: ExtractedChange): TargetChange {
  const columns = mapped.columns.identity ? undefined : mapped.columns;
  const out: TargetChange = { schema: mapped.target.schema, table: mapped.target.table, kind: change.kind };
  if (change.before !== undefined) out.before = convertRow(change.before, change.columns, columns, change);
  if (change.after !== undefined) out.after = convertRow(change.after, change.columns, columns, change);
  return out;
}

function convertRow(image: Row, columns: ColumnInfo[], mapper: ColumnMapper | undefined, table: TableRef): Row {
  const row: Row = {};
  for (const column of columns) {
    const name = mapper === undefined ? column.name : mapper.mapColumn(column.name);
    if (name === undefined) continue;
    row[name] = toSqlValue(image[column.name], column, table);
  }
  return row;
}
