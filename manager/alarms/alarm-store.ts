import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { Alarm } from './alarm-rules.ts';

/**
 * Active alarms in ZooKeeper, one persistent znode per alarm under /alarms; a cleared alarm is
 * deleted (its history is in the event log). Written by the leader's alarm evaluator and by
 * the arbiter's WARNING action; read by every manager's API.
 */

export interface AlarmRecord extends Alarm {
  /** Wall clock of the manager that first raised it, display only. */
  raisedAt: string;
}

/**
 * Alarm ids are `${rule}:${pipeline}`, but ':' is not allowed in znode names (zk-paths): the
 * node is named `${rule}.${pipeline}`. Rule ids contain no '.', so the first '.' splits the two
 * and the mapping stays one-to-one.
 */
export function alarmNodeName(id: string): string {
  return id.replace(':', '.');
}

/** Tries before giving up on a node that keeps changing under us. */
const RACE_ATTEMPTS = 5;

export class AlarmStore {
  constructor(private readonly zk: ZkClient) {}

  /** Creates the alarm, or updates it keeping its first raisedAt. `created` tells which. */
  async raise(alarm: Alarm): Promise<{ record: AlarmRecord; created: boolean }> {
    const path = zkPaths.alarm(alarmNodeName(alarm.id));
    for (let attempt = 1; ; attempt += 1) {
      const existing = await this.read(alarm.id);
      if (existing) {
        const record = { ...alarm, raisedAt: existing.record.raisedAt };
        try {
          await this.zk.setData(path, JSON.stringify(record), existing.version);
          return { record, created: false };
        } catch (error) {
          // Changed or cleared meanwhile (two managers around a leader handover): read again.
          const raced = isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');
          if (raced && attempt < RACE_ATTEMPTS) continue;
          throw error;
        }
      }
      const record = { ...alarm, raisedAt: new Date().toISOString() };
      try {
        await this.zk.create(path, JSON.stringify(record));
        return { record, created: true };
      } catch (error) {
        if (isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') && attempt < RACE_ATTEMPTS) continue;
        if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') || attempt >= RACE_ATTEMPTS) throw error;
        await this.zk.mkdirp(zkPaths.alarms); // parents come with start-up; a bare chroot lacks them
      }
    }
  }

  /** Deletes the alarm; false when it was not active. */
  async clear(id: string): Promise<boolean> {
    try {
      await this.zk.remove(zkPaths.alarm(alarmNodeName(id)));
      return true;
    } catch (error) {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return false;
      throw error;
    }
  }

  async get(id: string): Promise<AlarmRecord | undefined> {
    return (await this.read(id))?.record;
  }

  /** Every active alarm, ordered by id. */
  async list(): Promise<AlarmRecord[]> {
    let names: string[];
    try {
      names = await this.zk.getChildren(zkPaths.alarms);
    } catch (error) {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return [];
      throw error;
    }
    const records = await Promise.all(names.map((name) => this.readNode(name)));
    return records.flatMap((entry) => (entry ? [entry.record] : [])).sort((a, b) => a.id.localeCompare(b.id));
  }

  private read(id: string): Promise<{ record: AlarmRecord; version: number } | undefined> {
    return this.readNode(alarmNodeName(id));
  }

  private async readNode(name: string): Promise<{ record: AlarmRecord; version: number } | undefined> {
    try {
      const node = await this.zk.getData(zkPaths.alarm(name));
      return { record: JSON.parse(node.data.toString()) as AlarmRecord, version: node.version };
    } catch (error) {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
      throw error;
    }
  }
}
