import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { SourcePosition, TableRef } from '../../shared/model/change.ts';
import { assertPrechecksPassed, checkMappedKeys, runPrechecks } from '../prechecks/index.ts';
import type { SourceSession } from './source-session.ts';

/** Source tables the pipeline's table rules select today. */
export async function replicatedTables(pipeline: RuntimePipeline, source: SourceSession): Promise<TableRef[]> {
  const [rows] = await source.connection.query<RowDataPacket[]>(
    "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
  );
  return rows.map((row) => ({ schema: String(row.s), table: String(row.t) })).filter((t) => pipeline.mapping.mapTable(t.schema, t.table) !== undefined);
}

/**
 * Runs every precheck not skipped by the pipeline and throws one error listing all failures;
 * then, whatever was skipped, refuses table rules that lose the target's key (checkMappedKeys).
 */
export async function runPipelinePrechecks(pipeline: RuntimePipeline, source: SourceSession, target: Pool, resumeFrom: SourcePosition | undefined): Promise<void> {
  const tables = await replicatedTables(pipeline, source);
  const targetTables = tables.map((t) => ({ ...pipeline.mapping.mapTable(t.schema, t.table)!.target }));
  const results = await runPrechecks(
    {
      source: source.connection,
      target,
      tables,
      targetTables,
      systemSchema: pipeline.systemSchema,
      ...(resumeFrom ? { resumeFrom: { file: resumeFrom.file, pos: resumeFrom.pos, ...(resumeFrom.gtidSet !== undefined ? { gtid: resumeFrom.gtidSet } : {}) } } : {}),
    },
    { skip: pipeline.skipPrechecks },
  );
  assertPrechecksPassed(results);
  await checkMappedKeys(source.connection, target, tables.map((t) => {
    const mapped = pipeline.mapping.mapTable(t.schema, t.table)!;
    return { source: t, target: mapped.target, mapColumn: (name: string) => mapped.columns.mapColumn(name) };
  }));
}
