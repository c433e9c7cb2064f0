import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { flavorOfVersion } from '../../shared/mysql/flavor.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import { connectEndpoint, sslOptions, type ConnectEndpoint } from '../pipeline/mysql-tls.ts';
import { classifySourceError } from '../select/source-errors.ts';
import { repairStatements } from './repair.ts';
import type { KeyValues } from './row-sql.ts';
import { pairWithTarget, sourceTables, tableText, type TablePair } from './table-pair.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { TableVerifier, type TableDifferences, type VerifyOptions } from './table-verifier.ts';
import { SqlSourceSide, SqlVerifySide, type SourceVerifySide } from './verify-side.ts';

/** One table's result, as `bin/ferry verify --json` prints it. */
export interface TableReport {
  table: string;
  target: string;
  rows: number;
  missing: number;
  extra: number;
  different: number;
  /** A few keys of each kind, for a first look. */
  samples: { missing: KeyValues[]; extra: KeyValues[]; different: KeyValues[] };
  /** With repair: the statements that mend the table (run, or only printed). */
  repair?: string[];
}

export interface VerifyRunOptions extends VerifyOptions {
  /** Build the repair statements. @default false */
  repair?: boolean;
  /** Run them on the target (else they are only returned). @default false */
  apply?: boolean;
  /** Told after each table. */
  onTable?: (report: TableReport) => void;
}

const SAMPLES = 5;

/** Verify's sessions read values as text (dates, big numbers) and TIMESTAMPs in UTC on both servers, so equal rows hash the same. */
export async function openVerifySession(endpoint: ConnectEndpoint, side: 'source' | 'target'): Promise<Connection> {
  try {
    const connection = await mysql.createConnection({
      host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, connectTimeout: 10_000, charset: 'utf8mb4',
      dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, ...sslOptions(endpoint),
    });
    await connection.query("SET SESSION time_zone = '+00:00'");
    return connection;
  } catch (error) {
    throw side === 'source' ? classifySourceError(error, endpoint) : classifyTargetError(error, endpoint);
  }
}

export function reportOf(found: TableDifferences): TableReport {
  return {
    table: found.table, target: found.target, rows: found.rows,
    missing: found.missing.length, extra: found.extra.length, different: found.different.length,
    samples: { missing: found.missing.slice(0, SAMPLES), extra: found.extra.slice(0, SAMPLES), different: found.different.slice(0, SAMPLES) },
  };
}

/**
 * Verifies every table the pipeline's rules replicate, one after another: the source as a
 * side (a connection, or the pipe to a select node), the target over its connection.
 * `mend` is told each table that differs (bin/ferry verify --repair).
 */
export async function verifyTables(
  pipeline: RuntimePipeline,
  sides: { source: SourceVerifySide; target: Connection },
  options: VerifyOptions & { onTable?: (report: TableReport) => void } = {},
  mend?: (pair: TablePair, found: TableDifferences, report: TableReport) => Promise<void>,
): Promise<TableReport[]> {
  const target = new SqlVerifySide(sides.target);
  const reports: TableReport[] = [];
  for (const pair of await pairWithTarget(pipeline, await sides.source.tables(), sides.target)) {
    const found = await new TableVerifier(pair, { source: sides.source, target }, options).run().catch((error: unknown) => {
      throw isFerryError(error) ? error : new FerryError('FERRY_ERR_VERIFY_TABLE', { table: tableText(pair.source), detail: describeError(error) }, { cause: error });
    });
    const report = reportOf(found);
    if (mend && report.missing + report.extra + report.different > 0) await mend(pair, found, report);
    options.onTable?.(report);
    reports.push(report);
  }
  return reports;
}

/**
 * Verifies (and with `repair`, mends) every table the pipeline's rules replicate, one after
 * another, on one connection to each server. Row data crosses only for repairs.
 */
export async function verifyPipelineTables(pipeline: RuntimePipeline, options: VerifyRunOptions = {}): Promise<TableReport[]> {
  const source = await openVerifySession(connectEndpoint(pipeline.source, 'source'), 'source');
  let target: Connection | undefined;
  try {
    target = await openVerifySession(connectEndpoint(pipeline.target, 'target'), 'target');
    const onTarget = target;
    const [version] = await target.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const flavor = flavorOfVersion(String(version[0]?.v ?? ''));
    const side = new SqlSourceSide(source, (connection) => sourceTables(pipeline, connection));
    return await verifyTables(pipeline, { source: side, target }, options, options.repair ? async (pair, found, report) => {
      report.repair = await repairStatements(pair, found, source, flavor);
      if (options.apply) {
        await onTarget.query('SET SESSION foreign_key_checks = 0');
        await onTarget.query('BEGIN');
        for (const statement of report.repair) await onTarget.query(statement);
        await onTarget.query('COMMIT');
      }
    } : undefined);
  } finally {
    await source.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
  }
}
