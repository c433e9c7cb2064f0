import { pauseChannel, raiseWarning, restartChannel, rollbackChannel, type ArbiterContext } from '../../shared/cluster/arbiter/index.ts';
import { raiseEpochFloor } from '../../shared/cluster/epoch-floors.ts';
import { EventLog } from '../../shared/cluster/event-log.ts';
import type { AssignmentRecord, PermitRecord } from '../../shared/cluster/model.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { ArbiterActions } from './failure-escalator.ts';

/** The arbiter's actions as this node raises them, over one ZooKeeper session. */
export function arbiterActions(zk: ZkClient, log: Logger, nodeId: string): ArbiterActions {
  const ctx: ArbiterContext = { zk, log, events: new EventLog(zk, { log }) };
  return {
    rollback: (channel, cause) => rollbackChannel(ctx, channel, cause),
    restart: (channel, cause) => restartChannel(ctx, channel, cause),
    pause: (channel, cause) => pauseChannel(ctx, channel, cause),
    warn: (target, cause) => raiseWarning(ctx, target, cause),
    permit: async (channel) => {
      try {
        return JSON.parse((await zk.getData(zkPaths.permit(channel))).data.toString('utf8')) as PermitRecord;
      } catch (error) {
        if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
        throw error;
      }
    },
    assignment: async (pipeline) => {
      const record = (await readRecord<AssignmentRecord>(zk, zkPaths.assignment(pipeline)))?.value;
      return record ? { node: record.node, epoch: record.epoch } : undefined;
    },
    raiseEpochFloor: (pipeline, epoch) => raiseEpochFloor(zk, pipeline, epoch, `node:${nodeId}`),
  };
}
