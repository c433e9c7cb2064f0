import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { LoadSideOptions } from './load-side.ts';
import { checkRetentionAt, runLoadSidePrechecks, runPipelinePrechecks, sourcePrecheckReport } from './pipeline-prechecks.ts';
import type { SelectPrechecks } from './select-side.ts';
import { onSourceOf } from './side-errors.ts';
import type { SourceSession } from './source-session.ts';

/*
 * The checks that need the source and the target at once. Everything else runs on one side:
 * the select side never connects to the target, the load side never to the source. The
 * check that source and target are not one server is split in two halves joined by the
 * resume request (server-identity.ts: the select side's probe lock, looked for by the load
 * side). The prechecks are too, across the node-to-node pipe:
 *
 * - In one process (prechecksBeforeClaim) the load side runs them all before its claim,
 *   with the select side's source session at hand.
 * - Split, the select side (SelectSideOptions.prechecks = splitSelectPrechecks(pipeline))
 *   runs the source's checks (binlog settings, server_id, primary_keys, the source user's
 *   privileges, binlog_retention at startIfNew) and sends their results in the resume
 *   request with what the comparisons need: the source's version and every replicated table
 *   with its columns and unique keys (SourcePrecheckReport, node/prechecks/source-report.ts).
 *   The load side (LoadSideOptions.beforeClaim = splitPrechecksBeforeClaim(pipeline, passed))
 *   runs the target's checks and the comparisons (tested_flavor, the target user's
 *   privileges, checkMappedKeys) after its lock and before its claim, and refuses with the
 *   error and message a whole pipeline gives; the select side ends with it (the pipe carries
 *   the code), and no checkpoint is written. A target with a checkpoint resumes there, not at
 *   startIfNew: binlog_retention then runs on the select side once the answer names the
 *   position, before the binlog stream opens (the claim is made by then, but the checkpoint
 *   existed anyway). skipPrechecks is honoured on both sides: a check either side skips is
 *   skipped.
 *
 * Wiring for the nodes: the select node sets `prechecks` on every attempt (the report is a
 * few queries on the source); the load node passes splitPrechecksBeforeClaim on the attempts
 * that should check (the first, until `passed`), as the one-process runner does, and without
 * it ignores the report. A load side that wants the checks and gets a request without a
 * report refuses it (FERRY_ERR_PIPE_PROTOCOL). The report must fit the pipe's resume-request
 * frame (maxBatchBytes, 4 MiB by default): 255 bytes for a table of five columns and a
 * one-column primary key, so some 16,000 such tables.
 */

/**
 * The prechecks of a whole pipeline, run by the load side after its lock and before its claim,
 * so that a pipeline refused here leaves no checkpoint behind (a later --from still counts).
 * They need the source (binlog settings, source grants and keys), the target (its grants and
 * keys, the checkpoint, which says from where the source must still hold the binlog) and both
 * at once (tested_flavor, and checkMappedKeys, which compares source and target keys).
 * `passed` is told once every check passed.
 */
export function prechecksBeforeClaim(pipeline: RuntimePipeline, source: () => SourceSession, passed: () => void): NonNullable<LoadSideOptions['beforeClaim']> {
  return async ({ startIfNew }, { pool, checkpoints, onTarget }) => {
    await onTarget(checkpoints.ensureTables(pool));
    const existing = await onTarget(checkpoints.read(pool));
    await onSourceOf(pipeline.source)(runPipelinePrechecks(pipeline, source(), pool, existing?.position ?? startIfNew));
    passed();
  };
}

/**
 * A split pipeline's select side: the source's checks into the resume request, then
 * binlog_retention at the checkpoint the load side answers with. `passed` is told once both
 * went through (the load side then passed its checks too, or it would not have answered).
 */
export function splitSelectPrechecks(pipeline: RuntimePipeline, passed: () => void = () => undefined): SelectPrechecks {
  return {
    report: (session, startIfNew) => sourcePrecheckReport(pipeline, session, startIfNew),
    answered: async (session, point) => {
      // A new pipeline starts at startIfNew, which the load side checked from the report.
      if (point.resumed) await checkRetentionAt(pipeline, session, point.position);
      passed();
    },
  };
}

/**
 * A split pipeline's load side: LoadSideOptions.beforeClaim running the target's checks and the
 * comparisons with the select side's report. `passed` is told once every check passed.
 */
export function splitPrechecksBeforeClaim(pipeline: RuntimePipeline, passed: () => void): NonNullable<LoadSideOptions['beforeClaim']> {
  return async ({ prechecks }, { pool, checkpoints, onTarget }) => {
    if (prechecks === undefined) {
      throw new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer: 'the select side', detail: `its resume request for pipeline ${pipeline.name} carries no precheck report (SelectSideOptions.prechecks)` });
    }
    await onTarget(checkpoints.ensureTables(pool));
    const existing = await onTarget(checkpoints.read(pool));
    await onTarget(runLoadSidePrechecks(pipeline, prechecks, pool, existing?.position));
    passed();
  };
}
