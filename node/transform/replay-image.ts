import type { ColumnInfo, ReplayImage, ReplayTable, SourceTransaction } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import { EVENT_HEADER_LENGTH, TABLE_MAP_EVENT, eventType, formatOf, renameTableMap, tableMapNames } from '../../shared/mysql/binlog-events.ts';

/**
 * Two Format_description events that read events alike: the same server version, post-header
 * lengths and checksum algorithm (a new binlog file after a rotation repeats them with another
 * timestamp and position).
 */
function sameFormat(a: Buffer, b: Buffer): boolean {
  if (a === b) return true;
  const versionEnd = EVENT_HEADER_LENGTH + 52;
  const lengthsAt = versionEnd + 4;
  return a.length === b.length
    && a.subarray(EVENT_HEADER_LENGTH, versionEnd).equals(b.subarray(EVENT_HEADER_LENGTH, versionEnd))
    && a.subarray(lengthsAt, a.length - 4).equals(b.subarray(lengthsAt, b.length - 4));
}

/**
 * Transform's half of replay (docs/replay.md): the batch's row events for the target, with
 * its tables and the source columns of each, or undefined when the batch keeps the SQL path:
 * a transaction with changes but without `replay` (Select or Extract left it out; one with
 * neither is passed over), DDL, a table whose rule
 * drops or renames columns, or Format_descriptions that read events differently. Schema and
 * table renames are written into the table-map events. The caller leaves echoes out.
 */
export function replayImageOf(transactions: SourceTransaction[], mapping: TableMapping): { replay: ReplayImage; tables: ReplayTable[] } | undefined {
  let first: ReplayImage | undefined;
  const events: Buffer[] = [];
  const tables: ReplayTable[] = [];
  for (const transaction of transactions) {
    const replay = transaction.replay;
    // Nothing of it reaches the target (only tables no rule replicates, as other applications'
    // transactions on a shared source): it moves the checkpoint, nothing to replay.
    if (replay === undefined && transaction.changes.length === 0 && transaction.ddl === undefined) continue;
    if (replay === undefined || transaction.ddl !== undefined) return undefined;
    first ??= replay;
    if (!sameFormat(first.format, replay.format)) return undefined;
    const format = formatOf(first.format);
    for (const event of replay.events) {
      if (eventType(event) !== TABLE_MAP_EVENT) {
        events.push(event);
        continue;
      }
      const source = tableMapNames(event, format);
      const mapped = mapping.mapTable(source.schema, source.table);
      if (mapped === undefined || !mapped.columns.identity) return undefined;
      const { schema, table } = mapped.target;
      events.push(schema === source.schema && table === source.table ? event : renameTableMap(event, format, schema, table));
    }
    collectTables(transaction, mapping, tables);
  }
  if (first === undefined) return undefined;
  return { replay: { format: first.format, events }, tables };
}

/** Adds each target table of the transaction's changes with the column list its events carried, once per distinct list. */
function collectTables(transaction: SourceTransaction, mapping: TableMapping, tables: ReplayTable[]): void {
  let lastColumns: ColumnInfo[] | undefined;
  for (const change of transaction.changes) {
    // The changes of one row event share its column list: one comparison per change.
    if (change.columns === lastColumns) continue;
    lastColumns = change.columns;
    const target = mapping.mapTable(change.schema, change.table)!.target;
    // Each row event has a list of its own: compared by content, a table has one entry per shape.
    const known = tables.some((entry) => entry.table === target.table && entry.schema === target.schema && sameColumns(entry.columns, change.columns));
    if (!known) tables.push({ schema: target.schema, table: target.table, columns: change.columns });
  }
}

function sameColumns(a: ColumnInfo[], b: ColumnInfo[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.columnType !== y.columnType || x.charset !== y.charset || x.typeCode !== y.typeCode) return false;
  }
  return true;
}
