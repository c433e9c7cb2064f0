import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHAOS_SCHEMA } from './load-schema.ts';
import type { WriterGate } from './writer-gate.ts';

/**
 * Replication "moves" when a probe value written on the source after a moment shows up on the
 * target: the pipeline read, transformed and committed something newer than that moment.
 * One probe watches one direction: one row (`id`) of one schema's `probe` table, written only
 * on that direction's source.
 */
export class Probe {
  private value = 0;

  constructor(
    private readonly source: () => Promise<Connection>,
    private readonly target: () => Promise<Connection>,
    /** Names the direction in logs and lines (a pipeline's name). */
    readonly name = 'chaos',
    private readonly schema = CHAOS_SCHEMA,
    private readonly id = 1,
    /**
     * The source group's writer gate: a probe write is a writer too, held during a switchover
     * like the load's. Unheld, a write landing on the old master after the standby took its
     * position would be a transaction the new master never gets (seed 100, fault 93).
     */
    private readonly gate?: WriterGate,
  ) {}

  /** Writes a new probe value on the source (retrying) and returns it. */
  async bump(signal: AbortSignal): Promise<number> {
    const value = ++this.value;
    while (!signal.aborted) {
      if (await this.write(value, signal)) return value;
      await sleep(500, undefined, { signal }).catch(() => undefined);
    }
    return value;
  }

  /** One try at writing `value`, through the gate: connected after it opens, to the source of then. */
  private async write(value: number, signal: AbortSignal): Promise<boolean> {
    this.gate?.join();
    let connection: Connection | undefined;
    try {
      await this.gate?.pass(signal);
      connection = await this.source().catch(() => undefined);
      if (connection === undefined) return false;
      await connection.query(`UPDATE ${this.schema}.probe SET n = ? WHERE id = ?`, [value, this.id]);
      return true;
    } catch {
      // The source is down (a kill, a restart): retried until it answers.
      return false;
    } finally {
      await connection?.end().catch(() => undefined);
      this.gate?.leave();
    }
  }

  /** The target's probe value; undefined while the target does not answer. */
  async onTarget(): Promise<number | undefined> {
    const connection = await this.target().catch(() => undefined);
    if (!connection) return undefined;
    try {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT n FROM ${this.schema}.probe WHERE id = ?`, [this.id]);
      return Number(rows[0]?.n);
    } catch {
      return undefined;
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  /**
   * Bumps the probe every 2 s until one value reaches the target: at the start, a value written
   * before the pipeline read the binlog's end is never replicated. The time it arrived, or
   * undefined at the deadline.
   */
  async flowing(deadline: number, signal: AbortSignal): Promise<number | undefined> {
    while (!signal.aborted && Date.now() < deadline) {
      const value = await this.bump(signal);
      const seen = await this.waitFor(value, Math.min(deadline, Date.now() + 2_000), signal);
      if (seen !== undefined) return seen;
    }
    return undefined;
  }

  /**
   * Waits until the target holds `value` or newer; resolves with the time it was seen (ms
   * since the epoch), or undefined at the deadline.
   */
  async waitFor(value: number, deadline: number, signal: AbortSignal): Promise<number | undefined> {
    while (!signal.aborted && Date.now() < deadline) {
      const seen = await this.onTarget();
      if (seen !== undefined && seen >= value) return Date.now();
      await sleep(250, undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  }
}
