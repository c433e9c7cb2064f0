import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { describeTableKey } from '../prechecks/table-key.ts';

/**
 * One source table and where the pipeline's rules put it, as verify compares them: the key
 * that identifies a row and the compared columns, each under its source and its target name
 * (a table rule may rename or leave out columns).
 */
export interface TablePair {
  source: TableRef;
  target: TableRef;
  key: { source: string[]; target: string[] };
  columns: { source: string[]; target: string[] };
}

export const tableText = (ref: TableRef): string => `${ref.schema}.${ref.table}`;

async function columnsOf(connection: Connection, ref: TableRef): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [ref.schema, ref.table],
  );
  return rows.map((row) => String(row.c));
}

/** The source's base tables the rules replicate, each paired with its target; a target that lacks a table or a column is FERRY_ERR_VERIFY_TABLE. */
export async function tablePairs(pipeline: RuntimePipeline, source: Connection, target: Connection): Promise<TablePair[]> {
  const [rows] = await source.query<RowDataPacket[]>("SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME");
  const pairs: TablePair[] = [];
  for (const row of rows) {
    const ref = { schema: String(row.s), table: String(row.t) };
    const mapped = pipeline.mapping.mapTable(ref.schema, ref.table);
    if (mapped === undefined) continue;
    const problem = (detail: string) => new FerryError('FERRY_ERR_VERIFY_TABLE', { table: tableText(ref), detail });
    const key = await describeTableKey(source, ref.schema, ref.table);
    if (key === null) throw problem('it has no primary key and no unique key of NOT NULL columns, so rows cannot be told apart');
    const sourceColumns = (await columnsOf(source, ref)).filter((column) => mapped.columns.mapColumn(column) !== undefined);
    const targetColumns = new Map((await columnsOf(target, mapped.target)).map((column) => [column.toLowerCase(), column]));
    if (targetColumns.size === 0) throw problem(`the target has no table ${tableText(mapped.target)}`);
    const onTarget = (column: string): string => {
      const name = targetColumns.get(mapped.columns.mapColumn(column)!.toLowerCase());
      if (name === undefined) throw problem(`the target table ${tableText(mapped.target)} has no column ${mapped.columns.mapColumn(column)!} (source column ${column})`);
      return name;
    };
    const unmappedKey = key.columns.find((column) => mapped.columns.mapColumn(column) === undefined);
    if (unmappedKey !== undefined) throw problem(`the table rule leaves out key column ${unmappedKey}`);
    pairs.push({
      source: ref,
      target: { ...mapped.target },
      key: { source: key.columns, target: key.columns.map(onTarget) },
      columns: { source: sourceColumns, target: sourceColumns.map(onTarget) },
    });
  }
  return pairs;
}
