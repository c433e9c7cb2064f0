import type { EventInput, EventLog } from '../../shared/cluster/event-log.ts';
import type { Logger } from '../../shared/logging.ts';
import type { LivenessChanges } from '../monitor/node-liveness.ts';
import type { PendingAssignment } from '../monitor/pending-acks.ts';
import type { PlannedAssignment } from './assignment-plan.ts';

/**
 * What the scheduler tells operators: a log line and an event in /events for every node that
 * goes or comes back, every placement and every overdue ack. An event that cannot be written
 * is logged and dropped: it never holds up scheduling.
 */
export class SchedulerEvents {
  constructor(
    private readonly events: EventLog,
    /** 'manager:<id>' */
    private readonly by: string,
    private readonly log: Logger,
  ) {}

  /** `work` lists, per node, the assignments naming it. */
  async liveness(changes: LivenessChanges, assigned: ReadonlyMap<string, readonly { pipeline: string }[]>): Promise<void> {
    const work = new Map([...assigned].map(([node, list]) => [node, list.map((a) => a.pipeline)]));
    for (const node of changes.leaving) {
      const pipelines = work.get(node) ?? [];
      this.log.info({ node, pipelines }, 'node shutting down cleanly; its work moves now');
      await this.append({ type: 'NODE_DOWN', node, reason: 'node is shutting down cleanly; its work moves now', details: { pipelines, protectionPeriodMs: 0 } });
    }
    for (const { node, protectedMs } of changes.down) {
      const pipelines = work.get(node) ?? [];
      this.log.warn({ node, pipelines, protectionPeriodMs: protectedMs }, 'node gone; its work waits for it');
      await this.append({ type: 'NODE_DOWN', node, reason: `node vanished; its work waits ${protectedMs} ms for it to come back`, details: { pipelines, protectionPeriodMs: protectedMs } });
    }
    for (const node of changes.back) {
      const pipelines = work.get(node) ?? [];
      this.log.info({ node, pipelines }, 'node back: it keeps its work');
      await this.append({ type: 'NODE_UP', node, reason: 'node registered again; it keeps its work', details: { pipelines } });
    }
    for (const node of changes.expired) {
      this.log.warn({ node, pipelines: work.get(node) ?? [] }, 'node did not come back within the protection period; its work moves');
    }
  }

  /** `side` is set for the sides of a split pipeline. */
  async placed(assignments: readonly (PlannedAssignment & { epoch: number; side?: 'select' | 'load' })[], policy: string): Promise<void> {
    for (const a of assignments) {
      this.log.info({ pipeline: a.pipeline, channel: a.channel, node: a.node, epoch: a.epoch, from: a.previous?.node, reason: a.reason, policy, side: a.side }, 'pipeline assigned');
      await this.append({
        type: 'PLACEMENT', channel: a.channel, pipeline: a.pipeline, node: a.node,
        reason: a.previous ? `moved from ${a.previous.node}: ${a.reason}` : 'placed',
        details: { epoch: a.epoch, policy, ...(a.side ? { side: a.side } : {}), ...(a.previous ? { from: a.previous.node, previousEpoch: a.previous.epoch } : {}) },
      });
    }
  }

  async ackOverdue(overdue: readonly (PendingAssignment & { channel: string; waitedMs: number })[]): Promise<void> {
    for (const a of overdue) {
      this.log.warn({ pipeline: a.pipeline, node: a.node, epoch: a.epoch, waitedMs: Math.round(a.waitedMs) }, 'assignment not acked in time; the node is alive, so it stays');
      await this.append({
        type: 'WARNING', channel: a.channel, pipeline: a.pipeline, node: a.node,
        reason: `node ${a.node} has not acked its assignment (epoch ${a.epoch}) after ${Math.round(a.waitedMs)} ms`,
        details: { epoch: a.epoch, waitedMs: Math.round(a.waitedMs) },
      });
    }
  }

  private async append(event: Omit<EventInput, 'by'>): Promise<void> {
    await this.events.append({ ...event, by: this.by }).catch((error: unknown) => this.log.warn({ err: error, type: event.type }, 'could not record event'));
  }
}
