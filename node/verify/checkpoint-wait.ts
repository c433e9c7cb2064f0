import type { Connection, RowDataPacket } from 'mysql2/promise';
import { gtidBehind } from '../../shared/cluster/gtid-behind.ts';
import { quoteIdentifier } from '../../shared/mysql/flavor.ts';

export interface CheckpointWaitOptions {
  /** How often the checkpoint is read while waiting: rows changing meanwhile make the re-check less telling, so often. @default 50 */
  pollMs?: number;
  /** Longest wait for one position: a pipeline that is stopped or far behind does not hold verify up for ever. @default 60000 */
  timeoutMs?: number;
}

/** The pipeline's newest checkpoint GTID position on the target (highest commit sequence), or undefined. */
export async function checkpointGtid(target: Connection, systemSchema: string, pipeline: string): Promise<string | undefined> {
  let rows: RowDataPacket[] = [];
  try {
    [rows] = await target.query<RowDataPacket[]>(`SELECT gtid_set FROM ${quoteIdentifier(systemSchema)}.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1`, [pipeline]);
  } catch {
    // No checkpoint table yet: the pipeline has not started; nothing has passed anything.
    return undefined;
  }
  const text: unknown = rows[0]?.gtid_set;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/**
 * Waits until the pipeline's checkpoint on the target has passed `position` (a source GTID
 * position): in every domain, the checkpoint holds the position's sequence number or more.
 * Resolves true once it has, false when the wait gave up (the rows are then compared as
 * they are).
 */
export async function waitForCheckpoint(target: Connection, systemSchema: string, pipeline: string, position: string, options: CheckpointWaitOptions = {}): Promise<boolean> {
  const pollMs = options.pollMs ?? 50;
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const reached = await checkpointGtid(target, systemSchema, pipeline);
    if (reached !== undefined && gtidBehind(reached, position).transactions === 0) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
