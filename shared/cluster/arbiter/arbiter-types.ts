import type { Logger } from '../../logging.ts';
import type { ZkClient } from '../../zk/zk-client.ts';
import type { EventLog, EventRecord } from '../event-log.ts';

/** What an arbiter action needs; the same from a manager (API, node monitor) or from a node. */
export interface ArbiterContext {
  zk: ZkClient;
  log: Logger;
  events: EventLog;
  /** How long to wait for the channel lock before FERRY_ERR_LOCK_TIMEOUT. @default 30000 */
  lockTimeoutMs?: number;
  /** How long ROLLBACK waits for the involved nodes to acknowledge. @default 10000 */
  clearTimeoutMs?: number;
  /** How long RESTART waits for the leader to place every pipeline again. @default 10000 */
  placeTimeoutMs?: number;
  /** Told about every WARNING (a manager passes its alarm store here). @default none */
  onWarning?: (warning: ArbiterWarning) => Promise<void> | void;
}

/** Who or what raised an action, and why; recorded in the permit and the event. */
export interface ArbiterCause {
  /** 'api:<token name>', 'node:<id>', 'manager:<id>' */
  by: string;
  reason: string;
}

export type ArbiterAction = 'ROLLBACK' | 'RESTART' | 'PAUSE' | 'START' | 'STOP';

export interface ArbiterOutcome {
  action: ArbiterAction;
  channel: string;
  /** The id nodes acknowledged (ROLLBACK and RESTART). */
  rollbackId?: string;
  /** Nodes that acknowledged the rollback in time. */
  cleared: string[];
  /** Live nodes that did not acknowledge in time; the fence in the target still protects from them. */
  unresponsive: string[];
  /** RESTART: where each pipeline runs now (only those placed before placeTimeoutMs). */
  placed?: Record<string, { node: string; epoch: number }>;
  /** RESTART: pipelines not placed again in time (no leader, no eligible node). */
  unplaced?: string[];
  /** The event recorded for this action, under the lock (event order is lock order). */
  event: EventRecord;
}

/** What a WARNING reports to `onWarning`. */
export interface ArbiterWarning {
  /** The channel, when known (given, or found from the pipeline). */
  channel?: string;
  /** The pipelines concerned: the one given, or every pipeline of the channel. */
  pipelines: string[];
  by: string;
  reason: string;
}

export const ARBITER_DEFAULTS = {
  lockTimeoutMs: 30_000,
  clearTimeoutMs: 10_000,
  placeTimeoutMs: 10_000,
} as const;
