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

/** A source table the rules replicate, as the source describes it: its key and the columns the rules keep (source names). */
export interface SourceTable {
  source: TableRef;
  key: string[];
  columns: string[];
}

const problemOf = (ref: TableRef, detail: string) => new FerryError('FERRY_ERR_VERIFY_TABLE', { table: tableText(ref), detail });

/** The source's base tables the rules replicate, with key and kept columns; a table without a usable key is FERRY_ERR_VERIFY_TABLE. */
export async function sourceTables(pipeline: RuntimePipeline, source: Connection): Promise<SourceTable[]> {
  const [rows] = await source.query<RowDataPacket[]>("SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME");
  const tables: SourceTable[] = [];
  for (const row of rows) {
    const ref = { schema: String(row.s), table: String(row.t) };
    const mapped = pipeline.mapping.mapTable(ref.schema, ref.table);
    if (mapped === undefined) continue;
    const key = await describeTableKey(source, ref.schema, ref.table);
    if (key === null) throw problemOf(ref, 'it has no primary key and no unique key of NOT NULL columns, so rows cannot be told apart');
    const unmappedKey = key.columns.find((column) => mapped.columns.mapColumn(column) === undefined);
    if (unmappedKey !== undefined) throw problemOf(ref, `the table rule leaves out key column ${unmappedKey}`);
    tables.push({ source: ref, key: key.columns, columns: (await columnsOf(source, ref)).filter((column) => mapped.columns.mapColumn(column) !== undefined) });
  }
  return tables;
}

/** Each source table paired with its target; a target that lacks a table or a column is FERRY_ERR_VERIFY_TABLE. */
export async function pairWithTarget(pipeline: RuntimePipeline, tables: readonly SourceTable[], target: Connection): Promise<TablePair[]> {
  const pairs: TablePair[] = [];
  for (const { source: ref, key, columns } of tables) {
    const mapped = pipeline.mapping.mapTable(ref.schema, ref.table);
    if (mapped === undefined) throw problemOf(ref, 'the pipeline\'s rules do not replicate it');
    const targetColumns = new Map((await columnsOf(target, mapped.target)).map((column) => [column.toLowerCase(), column]));
    if (targetColumns.size === 0) throw problemOf(ref, `the target has no table ${tableText(mapped.target)}`);
    const onTarget = (column: string): string => {
      const targetName = mapped.columns.mapColumn(column);
      if (targetName === undefined) throw problemOf(ref, `the table rule leaves out column ${column}`);
      const name = targetColumns.get(targetName.toLowerCase());
      if (name === undefined) throw problemOf(ref, `the target table ${tableText(mapped.target)} has no column ${targetName} (source column ${column})`);
      return name;
    };
    pairs.push({
      source: ref,
      target: { ...mapped.target },
      key: { source: key, target: key.map(onTarget) },
      columns: { source: columns, target: columns.map(onTarget) },
    });
  }
  return pairs;
}

/** The source's base tables the rules replicate, each paired with its target. */
export async function tablePairs(pipeline: RuntimePipeline, source: Connection, target: Connection): Promise<TablePair[]> {
  return pairWithTarget(pipeline, await sourceTables(pipeline, source), target);
}
