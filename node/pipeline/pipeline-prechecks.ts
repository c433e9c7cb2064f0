import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { SourcePosition, TableRef } from '../../shared/model/change.ts';
import {
  assertPrechecksPassed, checkMappedKeys, checkMappedKeysWith, runPrechecks, runRetentionPrecheck, runSourcePrechecks, runTargetPrechecks,
  type ResumePosition, type SourceKeyFacts, type SourcePrecheckReport,
} from '../prechecks/index.ts';
import type { SourceSession } from './source-session.ts';

/** Source tables the pipeline's table rules select today. */
export async function replicatedTables(pipeline: RuntimePipeline, source: SourceSession): Promise<TableRef[]> {
  const [rows] = await source.connection.query<RowDataPacket[]>(
    "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
  );
  return rows.map((row) => ({ schema: String(row.s), table: String(row.t) })).filter((t) => pipeline.mapping.mapTable(t.schema, t.table) !== undefined);
}

/**
 * The prechecks not to run: the pipeline's skipPrechecks, and binlog_retention under
 * onPurgedBinlog: resync, where a purged binlog starts a re-copy instead of stopping
 * (binlogPurgedAt, on the select side).
 */
function skippedChecks(pipeline: RuntimePipeline): string[] {
  return pipeline.onPurgedBinlog === 'resync' ? [...pipeline.skipPrechecks, 'binlog_retention'] : [...pipeline.skipPrechecks];
}

/** Whether the source no longer holds the binlog from `position` on (the binlog_retention check). */
export async function binlogPurgedAt(source: SourceSession, position: SourcePosition): Promise<boolean> {
  const results = await runRetentionPrecheck(source.connection, resumePositionOf(position));
  return results.some((result) => result.id === 'binlog_retention' && result.error?.code === 'FERRY_ERR_BINLOG_PURGED');
}

function resumePositionOf(position: SourcePosition): ResumePosition {
  return { file: position.file, pos: position.pos, ...(position.gtidSet !== undefined ? { gtid: position.gtidSet } : {}) };
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
      ...(resumeFrom ? { resumeFrom: resumePositionOf(resumeFrom) } : {}),
      bidirectional: pipeline.bidirectional !== undefined,
    },
    { skip: skippedChecks(pipeline) },
  );
  assertPrechecksPassed(results);
  await checkMappedKeys(source.connection, target, tables.map((t) => {
    const mapped = pipeline.mapping.mapTable(t.schema, t.table)!;
    return { source: t, target: mapped.target, mapColumn: (name: string) => mapped.columns.mapColumn(name) };
  }));
}

/** A split pipeline's select side: the report its resume request carries (runSourcePrechecks). */
export async function sourcePrecheckReport(pipeline: RuntimePipeline, source: SourceSession, startIfNew: SourcePosition): Promise<SourcePrecheckReport> {
  const tables = await replicatedTables(pipeline, source);
  return runSourcePrechecks({ source: source.connection, tables, startIfNew: resumePositionOf(startIfNew), bidirectional: pipeline.bidirectional !== undefined }, { skip: skippedChecks(pipeline) });
}

/**
 * A split pipeline's load side: the checks of runPipelinePrechecks with the source's side taken
 * from the select side's report, throwing the same errors. `checkpoint`: the target's, if any.
 */
export async function runLoadSidePrechecks(pipeline: RuntimePipeline, report: SourcePrecheckReport, target: Pool, checkpoint: SourcePosition | undefined): Promise<void> {
  // The report's tables as this side's rules map them (both sides resolve the same pipeline).
  const tables = report.tables.flatMap((table) => {
    const mapped = pipeline.mapping.mapTable(table.schema, table.table);
    return mapped === undefined ? [] : [{ source: { schema: table.schema, table: table.table }, facts: table.facts, mapped }];
  });
  const results = await runTargetPrechecks(
    report,
    {
      target,
      targetTables: tables.map((t) => ({ ...t.mapped.target })),
      systemSchema: pipeline.systemSchema,
      ...(checkpoint ? { checkpoint: resumePositionOf(checkpoint) } : {}),
      bidirectional: pipeline.bidirectional !== undefined,
    },
    { skip: skippedChecks(pipeline) },
  );
  assertPrechecksPassed(results);
  const facts = new Map<string, SourceKeyFacts>(tables.map((t) => [`${t.source.schema}\u0000${t.source.table}`, t.facts]));
  await checkMappedKeysWith(
    (ref) => Promise.resolve(facts.get(`${ref.schema}\u0000${ref.table}`)!),
    target,
    tables.map((t) => ({ source: t.source, target: t.mapped.target, mapColumn: (name: string) => t.mapped.columns.mapColumn(name) })),
  );
}

/** A split pipeline's select side, once answered: binlog_retention at the checkpoint the load side resumed from. */
export async function checkRetentionAt(pipeline: RuntimePipeline, source: SourceSession, position: SourcePosition): Promise<void> {
  assertPrechecksPassed(await runRetentionPrecheck(source.connection, resumePositionOf(position), { skip: skippedChecks(pipeline) }));
}
