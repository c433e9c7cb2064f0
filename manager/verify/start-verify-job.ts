import type { AssignmentRecord } from '../../shared/cluster/model.ts';
import { createJob } from '../../shared/cluster/verify-jobs.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { FerryError } from '../../shared/errors/index.ts';

/**
 * Writes a verify job of `pipelines` (a channel's) into ZooKeeper, each part placed on the node
 * its assignment names; a pipeline no node holds gets a part failed at once with
 * FERRY_ERR_VERIFY_NOT_ASSIGNED. Used by POST /channels/{name}/verify and by continuous
 * validation (validation-scheduler.ts). Returns the job's id.
 */
export async function startVerifyJob(zk: ZkClient, request: { channel: string; pipelines: string[]; requestedBy: string; reason: string }): Promise<string> {
  const placement = new Map<string, { node: string } | { error: { code: string; message: string } }>();
  for (const pipeline of request.pipelines) {
    const assignment = await readRecord<AssignmentRecord>(zk, zkPaths.assignment(pipeline));
    if (assignment) placement.set(pipeline, { node: assignment.value.node });
    else {
      const error = new FerryError('FERRY_ERR_VERIFY_NOT_ASSIGNED', { pipeline });
      placement.set(pipeline, { error: { code: error.code, message: error.message } });
    }
  }
  return createJob(zk, { channel: request.channel, requestedAt: new Date().toISOString(), requestedBy: request.requestedBy, reason: request.reason, pipelines: request.pipelines }, placement);
}
