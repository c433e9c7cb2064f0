import mysql, { type RowDataPacket } from 'mysql2/promise';
import { inject, onTestFinished } from 'vitest';
import { EventLog, type EventRecord } from '../../../shared/cluster/event-log.ts';
import type { PermitRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { encode } from '../../../shared/cluster/config-store.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { TestDatabase } from '../../support/mariadb.ts';
import { runMixedWorkload } from '../../support/workload.ts';
import type { ClusterFixture } from './cluster-fixture.ts';

/** What the arbiter tests read and write beside the cluster fixture. */

/** Writes the permit as the arbiter does: PAUSE with a rollbackId is a ROLLBACK. */
export async function writePermit(cluster: ClusterFixture, status: PermitRecord['status'], rollbackId?: string): Promise<void> {
  const record: PermitRecord = { status, by: 'test', reason: 'arbiter test', at: new Date().toISOString(), ...(rollbackId ? { rollbackId } : {}) };
  await cluster.admin.setData(zkPaths.permit(cluster.channel), encode(record));
}

export async function readPermit(cluster: ClusterFixture): Promise<PermitRecord> {
  return JSON.parse((await cluster.admin.getData(zkPaths.permit(cluster.channel))).data.toString('utf8')) as PermitRecord;
}

/** The rollbackId node `id` acknowledged for the channel, if any. */
export async function ackedRollback(cluster: ClusterFixture, id: string): Promise<string | undefined> {
  try {
    const node = await cluster.admin.getData(zkPaths.rollbackAck(cluster.channel, id));
    return (JSON.parse(node.data.toString('utf8')) as { rollbackId?: string }).rollbackId;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
    throw error;
  }
}

/** The pipeline's newest checkpoint in the target: sequence, epoch and GTID position. */
export async function newestCheckpoint(cluster: ClusterFixture): Promise<{ seq: number; epoch: number; position: string } | undefined> {
  const [rows] = await cluster.pair.target.connection.query<RowDataPacket[]>('SELECT seq, epoch, gtid_set FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [cluster.pipeline]);
  const row = rows[0];
  return row ? { seq: Number(row.seq), epoch: Number(row.epoch), position: String(row.gtid_set) } : undefined;
}

/** Every checkpoint row of the pipeline as `worker:seq:epoch`. */
export async function checkpointRows(cluster: ClusterFixture): Promise<string[]> {
  const [rows] = await cluster.pair.target.connection.query<RowDataPacket[]>('SELECT worker, seq, epoch FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY worker', [cluster.pipeline]);
  return rows.map((row) => `${String(row.worker)}:${String(row.seq)}:${String(row.epoch)}`);
}

export async function channelEvents(cluster: ClusterFixture): Promise<EventRecord[]> {
  return new EventLog(cluster.admin).list({ channel: cluster.channel, limit: 200 });
}

/**
 * Plays the leader's scheduler for one node: whenever the pipeline has no assignment while
 * the permit is START (a RESTART removed it), places it again with a higher epoch.
 */
export function playLeader(cluster: ClusterFixture, node: () => string, firstEpoch: number): void {
  let epoch = firstEpoch;
  let running = true;
  const loop = (async () => {
    while (running) {
      if ((await cluster.assignment()) === undefined && (await readPermit(cluster)).status === 'START') await cluster.assign(node(), ++epoch);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  onTestFinished(async () => {
    running = false;
    await loop.catch(() => undefined);
  });
}

/** Source writes on a connection of their own until stop() resolves. */
export async function backgroundWorkload(source: TestDatabase, schema: string, seed: number): Promise<{ stop(): Promise<void> }> {
  const { app } = inject('services').users;
  const connection = await mysql.createConnection({ host: source.instance.host, port: source.instance.port, user: app.user, password: app.password });
  let running = true;
  const loop = (async () => {
    for (let round = 0; running; round++) {
      await runMixedWorkload(connection, schema, { transactions: 10, seed: seed + round });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const stop = async () => {
    running = false;
    await loop;
    await connection.end().catch(() => undefined);
  };
  onTestFinished(() => (running ? stop() : undefined));
  return { stop };
}
