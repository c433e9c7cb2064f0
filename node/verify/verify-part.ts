import type { Connection } from 'mysql2/promise';
import type { VerifyTableResult } from '../../shared/cluster/verify-jobs.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { Logger } from '../../shared/logging.ts';
import { connectEndpoint } from '../pipeline/mysql-tls.ts';
import { waitForCheckpoint, type CheckpointWaitOptions } from './checkpoint-wait.ts';
import type { VerifyOptions } from './table-verifier.ts';
import { openVerifySession, verifyTables, type TableReport } from './verify-run.ts';
import type { SourceVerifySide } from './verify-side.ts';
import { toWire } from './wire-keys.ts';

export interface VerifyPartOptions extends Pick<VerifyOptions, 'chunkRows'>, CheckpointWaitOptions {
  /** Reads of a differing row before it is reported. @default 5 */
  rechecks?: number;
}

export const tableResultOf = (report: TableReport): VerifyTableResult => ({
  table: report.table, target: report.target, rows: report.rows,
  missing: report.missing, extra: report.extra, different: report.different,
  samples: { missing: report.samples.missing.map(toWire), extra: report.samples.extra.map(toWire), different: report.samples.different.map(toWire) },
});

/**
 * One pipeline's part of a verify job, on the node that holds its load side (or the whole
 * pipeline): the target over a connection of this node, the source as `source` gives it (a
 * connection for a whole pipeline, the pipe to the select node for a split one). The pipeline
 * may run meanwhile: a differing row is read again once the pipeline's checkpoint passed the
 * source position read before it, and reported only when it differed every time.
 */
export async function verifyPart(pipeline: RuntimePipeline, source: SourceVerifySide, log: Logger, options: VerifyPartOptions = {}, signal?: AbortSignal): Promise<VerifyTableResult[]> {
  signal?.throwIfAborted();
  const target: Connection = await openVerifySession(connectEndpoint(pipeline.target, 'target'), 'target');
  // The checkpoint is read on a session of its own: the verifier reads rows on the other one meanwhile.
  const checkpoints: Connection = await openVerifySession(connectEndpoint(pipeline.target, 'target'), 'target').catch(async (error: unknown) => {
    await target.end().catch(() => undefined);
    throw error;
  });
  // Aborted (the node stops): the sessions end at once, so the statement in progress fails.
  const abort = () => {
    target.destroy();
    checkpoints.destroy();
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const reports = await verifyTables(pipeline, { source, target }, {
      ...(options.chunkRows === undefined ? {} : { chunkRows: options.chunkRows }),
      recheck: {
        attempts: options.rechecks ?? 5,
        caughtUp: async (position) => {
          const reached = await waitForCheckpoint(checkpoints, pipeline.systemSchema, pipeline.name, position, options);
          if (!reached) log.warn({ pipeline: pipeline.name, position }, 'verify: the pipeline did not pass the position in time; comparing as it is');
        },
      },
      onTable: (report) => log.info({ pipeline: pipeline.name, table: report.table, rows: report.rows, missing: report.missing, extra: report.extra, different: report.different, samples: tableResultOf(report).samples }, 'verify: table compared'),
    });
    return reports.map(tableResultOf);
  } finally {
    signal?.removeEventListener('abort', abort);
    await target.end().catch(() => undefined);
    await checkpoints.end().catch(() => undefined);
  }
}
