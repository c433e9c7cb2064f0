import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { LoadSideOptions } from './load-side.ts';
import { runPipelinePrechecks } from './pipeline-prechecks.ts';
import { onSourceOf } from './side-errors.ts';
import type { SourceSession } from './source-session.ts';

/*
 * The checks that still need the source and the target at once. Everything else runs on one
 * side: the select side never connects to the target, the load side never to the source. The
 * check that source and target are not one server is already split in two halves joined by
 * the resume request (server-identity.ts: the select side's probe lock, looked for by the
 * load side). In one process the runner hands the prechecks both sessions; across the
 * node-to-node pipe they become part of the resume handshake, as said below.
 */

/**
 * The prechecks, run by the load side after its lock and before its claim, so that a pipeline
 * refused here leaves no checkpoint behind (a later --from still counts). They need the
 * source (binlog settings, source grants and keys), the target (its grants and keys, the
 * checkpoint, which says from where the source must still hold the binlog) and both at
 * once (tested_flavor, and checkMappedKeys, which compares source and target keys).
 *
 * Across the pipe: the select side runs the source's checks and sends their results with what
 * the comparisons need (its flavor, the replicated tables and their keys) in the resume
 * request; the load side runs the target's checks and the comparisons, and binlog_retention
 * moves after the answer, on the select side, with the position the load side read
 * without claiming. `passed` is told once every check passed.
 */
export function prechecksBeforeClaim(pipeline: RuntimePipeline, source: () => SourceSession, passed: () => void): NonNullable<LoadSideOptions['beforeClaim']> {
  return async ({ startIfNew }, { pool, checkpoints, onTarget }) => {
    await onTarget(checkpoints.ensureTables(pool));
    const existing = await onTarget(checkpoints.read(pool));
    await onSourceOf(pipeline.source)(runPipelinePrechecks(pipeline, source(), pool, existing?.position ?? startIfNew));
    passed();
  };
}
