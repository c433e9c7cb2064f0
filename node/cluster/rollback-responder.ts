import type { Logger } from '../../shared/logging.ts';
import { assignmentsOf, selectAssignmentsOf, type ClusterView } from './cluster-view.ts';

/** What a ROLLBACK does to this node's runners (RunnerSet in the node, a fake in tests). */
export interface RollbackRunners {
  /** Aborts the channel's runners here and clears their context; resolves once they ended. */
  abortChannel(channel: string, reason: string): Promise<void>;
  /** A runner or a recorded failure of the channel is here. */
  hasChannel(channel: string): boolean;
}

/** Writes /rollbacks/<channel>/<node> = {rollbackId, at} (acknowledgeRollback in the node). */
export type AckWriter = (channel: string, rollbackId: string) => Promise<void>;

/**
 * The node's side of ROLLBACK (and of the first half of RESTART). A permit that is not START
 * and carries a rollbackId this process has not acted on aborts every runner of the channel
 * here (batches in flight dropped, context cleared), once per id; then, when the node holds
 * an assignment of the channel or had a runner of it, it acknowledges the id at
 * /rollbacks/<channel>/<node>, where the arbiter waits for it under the channel lock.
 * The acknowledgement is written again in each new session while the permit still asks for
 * it: writing the same id twice is harmless.
 */
export class RollbackResponder {
  /** channel → the id whose abort ran in this process, and its end. */
  private readonly aborted = new Map<string, { id: string; done: Promise<void> }>();
  /** channel → the id acknowledged in the current session. */
  private readonly acked = new Map<string, string>();
  private readonly acking = new Set<string>();

  constructor(
    private readonly nodeId: string,
    private readonly runners: RollbackRunners,
    private readonly writeAck: AckWriter,
    private readonly log: Logger,
  ) {}

  /** A new ZooKeeper session: acknowledge again whatever the permits still ask for. */
  newSession(): void {
    this.acked.clear();
  }

  /**
   * Call with every view read from ZooKeeper, before the runners follow it: aborting first
   * keeps the PAUSE of the same permit from stopping them cleanly (which would commit).
   */
  respond(view: ClusterView): void {
    for (const [channel, permit] of Object.entries(view.permits)) {
      const id = permit.rollbackId;
      if (id === undefined || permit.status === 'START') continue;
      const involved = this.runners.hasChannel(channel) || [...assignmentsOf(view, this.nodeId), ...selectAssignmentsOf(view, this.nodeId)].some(({ record }) => record.channel === channel);
      let abort = this.aborted.get(channel);
      if (abort?.id !== id) {
        this.log.warn({ channel, rollbackId: id, by: permit.by, reason: permit.reason }, 'ROLLBACK: aborting the channel\'s pipelines on this node');
        abort = { id, done: this.runners.abortChannel(channel, `ROLLBACK ${id} by ${permit.by}`) };
        this.aborted.set(channel, abort);
      }
      const key = `${channel}\u0000${id}`;
      if (!involved || this.acked.get(channel) === id || this.acking.has(key)) continue;
      this.acking.add(key);
      void abort.done
        .then(() => this.writeAck(channel, id))
        .then(() => {
          this.acked.set(channel, id);
          this.log.info({ channel, rollbackId: id }, 'ROLLBACK acknowledged');
        })
        .catch((error: unknown) => this.log.warn({ channel, rollbackId: id, err: error }, 'ROLLBACK acknowledgement not written; trying again at the next reconcile'))
        .finally(() => this.acking.delete(key));
    }
  }
}
