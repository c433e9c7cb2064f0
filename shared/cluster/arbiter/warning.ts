import { FerryError, describeError } from '../../errors/index.ts';
import type { ZkClient } from '../../zk/zk-client.ts';
import type { ChannelSpecT } from '../model.ts';
import { zkPaths } from '../zk-paths.ts';
import type { ArbiterCause, ArbiterContext, ArbiterWarning } from './arbiter-types.ts';
import { readChannel } from './channel-records.ts';
import { readRecord } from '../zk-records.ts';

/**
 * WARNING: tell people, change nothing that runs. No lock (it writes no shared state but the
 * event log and, through `onWarning`, an alarm), so a node can warn while a ROLLBACK holds it.
 */

export interface WarningTarget {
  channel?: string;
  pipeline?: string;
}

/** The channel holding a pipeline, or undefined; for warnings that name only the pipeline. */
async function channelOf(zk: ZkClient, pipeline: string): Promise<ChannelSpecT | undefined> {
  for (const name of await zk.getChildren(zkPaths.channels)) {
    const spec = await readRecord<ChannelSpecT>(zk, zkPaths.channel(name));
    if (spec?.value.pipelines.some((p) => p.name === pipeline)) return spec.value;
  }
  return undefined;
}

/** Records a WARNING event, logs it and hands it to `ctx.onWarning`. A named channel must exist (FERRY_ERR_API_NOT_FOUND). */
export async function raiseWarning(ctx: ArbiterContext, target: WarningTarget, cause: ArbiterCause): Promise<void> {
  const spec = target.channel !== undefined ? (await readChannel(ctx.zk, target.channel)).value : target.pipeline !== undefined ? await channelOf(ctx.zk, target.pipeline) : undefined;
  if (target.pipeline !== undefined && spec && !spec.pipelines.some((p) => p.name === target.pipeline)) {
    throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'pipeline', name: `${target.pipeline} in channel ${spec.name}` });
  }
  const warning: ArbiterWarning = {
    ...(spec ? { channel: spec.name } : {}),
    pipelines: target.pipeline !== undefined ? [target.pipeline] : (spec?.pipelines.map((p) => p.name) ?? []),
    by: cause.by,
    reason: cause.reason,
  };
  const log = ctx.log.child({ component: 'arbiter', action: 'WARNING', channel: warning.channel, by: cause.by });
  await ctx.events.append({ type: 'WARNING', channel: warning.channel, pipeline: target.pipeline, by: cause.by, reason: cause.reason, details: { pipelines: warning.pipelines } });
  log.warn({ pipelines: warning.pipelines, reason: cause.reason }, 'warning raised');
  try {
    await ctx.onWarning?.(warning);
  } catch (error) {
    // The event is recorded; an alarm store that failed must not hide that from the caller's flow.
    log.warn({ detail: describeError(error) }, 'warning recorded, but the alarm could not be raised');
  }
}
