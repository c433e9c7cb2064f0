import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { flavorOfVersion } from '../../shared/mysql/flavor.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import { connectEndpoint, sslOptions, type ConnectEndpoint } from '../pipeline/mysql-tls.ts';
import { classifySourceError } from '../select/source-errors.ts';
import { repairStatements } from './repair.ts';
import type { KeyValues } from './row-sql.ts';
import { tablePairs, tableText } from './table-pair.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { TableVerifier, type VerifyOptions } from './table-verifier.ts';

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
async function open(endpoint: ConnectEndpoint, side: 'source' | 'target'): Promise<Connection> {
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

/**
 * Verifies (and with `repair`, mends) every table the pipeline's rules replicate, one after
 * another, on one connection to each server. Row data crosses only for repairs.
 */
export async function verifyPipelineTables(pipeline: RuntimePipeline, options: VerifyRunOptions = {}): Promise<TableReport[]> {
  const source = await open(connectEndpoint(pipeline.source, 'source'), 'source');
  let target: Connection | undefined;
  try {
    target = await open(connectEndpoint(pipeline.target, 'target'), 'target');
    const [version] = await target.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const flavor = flavorOfVersion(String(version[0]?.v ?? ''));
    const reports: TableReport[] = [];
    for (const pair of await tablePairs(pipeline, source, target)) {
      const found = await new TableVerifier(pair, { source, target }, options).run().catch((error: unknown) => {
        throw isFerryError(error) ? error : new FerryError('FERRY_ERR_VERIFY_TABLE', { table: tableText(pair.source), detail: describeError(error) }, { cause: error });
      });
      const report: TableReport = {
        table: found.table, target: found.target, rows: found.rows,
        missing: found.missing.length, extra: found.extra.length, different: found.different.length,
        samples: { missing: found.missing.slice(0, SAMPLES), extra: found.extra.slice(0, SAMPLES), different: found.different.slice(0, SAMPLES) },
      };
      if (options.repair && report.missing + report.extra + report.different > 0) {
        report.repair = await repairStatements(pair, found, source, flavor);
        if (options.apply) {
          await target.query('SET SESSION foreign_key_checks = 0');
          await target.query('BEGIN');
          for (const statement of report.repair) await target.query(statement);
          await target.query('COMMIT');
        }
      }
      options.onTable?.(report);
      reports.push(report);
    }
    return reports;
  } finally {
    await source.end().catch(() => undefined);
    await target?.end().catch(() => undefined);
  }
}
