import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { LoadSideOptions } from './load-side.ts';
import { runPipelinePrechecks } from './pipeline-prechecks.ts';
import { refuseSelfReplication } from './server-identity.ts';
import { onSourceOf, onTargetOf } from './side-errors.ts';
import type { SourceSession } from './source-session.ts';

/*
 * The checks that need the source and the target at once. Everything else runs on one side:
 * the select side never connects to the target, the load side never to the source. In one
 * process the runner hands each check both sessions; across the node-to-node pipe each
 * becomes an exchange in the resume handshake, as said for each below.
 */

/**
 * Refuses a pipeline whose source and target are one server, first, before anything is
 * written on either side. Exact because asked, not guessed: a named lock taken on one
 * session is looked for on the other (server-identity.ts).
 *
 * Across the pipe: the select side takes the probe lock on the source and sends the lock's
 * name in its resume request, holding it until the answer; the load side asks the target
 * whether that lock is in use before its claim and refuses with FERRY_ERR_SOURCE_IS_TARGET.
 */
export async function refuseSameServer(pipeline: RuntimePipeline, source: SourceSession, target: Pool): Promise<void> {
  const onSource = onSourceOf(pipeline.source);
  const onTarget = onTargetOf(pipeline.target);
  const probe = await onTarget(target.getConnection());
  try {
    await refuseSelfReplication(
      pipeline,
      (sql, values) => onSource(source.connection.query<RowDataPacket[]>(sql, values).then(([rows]) => rows)),
      (sql, values) => onTarget(probe.query<RowDataPacket[]>(sql, values).then(([rows]) => rows)),
    );
  } finally {
    probe.release();
  }
}

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
