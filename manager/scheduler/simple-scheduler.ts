import type { ConfigSnapshot, AssignmentRecord, PermitRecord, NodeRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { describeError, isFerryError } from '../../shared/errors/index.ts';
import type { ZkOp } from '../../shared/zk/zk-client.ts';
import type { LeaderDuty, LeaderDutyContext } from '../leader-duties.ts';
import { readAssignments, readNodes, readPermits, type Stored } from '../runtime-state.ts';
import { WatchSet } from '../watch-set.ts';
import { planAssignments, type AssignmentPlan } from './assignment-plan.ts';

export interface SimpleSchedulerOptions {
  /** Quiet time after a watch fires before re-evaluating (bursts of events make one pass). @default 100 */
  debounceMs?: number;
  /** Re-evaluation without any event, in case a watch was lost. @default 3000 */
  safetyNetMs?: number;
}

/**
 * The leader's simple scheduler (issue #6 replaces it with the arbiter and placement
 * policies): watches /nodes, /permits, /assignments and the configuration epoch, and makes
 * /assignments match planAssignments. One pass commits as one multi-op that compare-and-sets
 * every assignment it read, so a second leader acting during a handover can never have both
 * of its writes land.
 *
 * Epochs: every new assignment's epoch is taken from one cluster-wide counter, the data
 * version of /assignments, bumped in the same multi-op. A pipeline's epoch therefore grows
 * even across STOP (which deletes its assignment) and channel re-creation, and the target's
 * fence, which refuses any epoch below the highest it saw, never locks a pipeline out.
 */
export class SimpleScheduler implements LeaderDuty {
  readonly name = 'simple-scheduler';
  private readonly watches = new WatchSet(() => this.trigger());
  private readonly debounceMs: number;
  private readonly safetyNetMs: number;
  private debounce: NodeJS.Timeout | undefined;
  private safetyNet: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private config: ConfigSnapshot | undefined;

  constructor(private readonly ctx: LeaderDutyContext, options: SimpleSchedulerOptions = {}) {
    this.debounceMs = options.debounceMs ?? 100;
    this.safetyNetMs = options.safetyNetMs ?? 3_000;
  }

  start(): void {
    this.safetyNet = setInterval(() => this.trigger(), this.safetyNetMs);
    this.trigger(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.safetyNet);
    await this.pass;
  }

  private trigger(delayMs = this.debounceMs): void {
    if (this.stopped || this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.runPass();
    }, delayMs);
  }

  private runPass(): void {
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.reconcile()
      .catch((error: unknown) => {
        this.watches.clear();
        this.ctx.log.warn({ detail: describeError(error) }, 'scheduling pass failed; retrying');
        this.again = true;
      })
      .finally(() => {
        this.pass = undefined;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  /** One pass: read everything (re-arming watches), plan, commit. */
  async reconcile(): Promise<void> {
    if (this.stopped) return;
    const { zk, store } = this.ctx;
    const epoch = await store.epoch(this.watches.watcher('epoch'));
    if (this.config?.epoch !== epoch) this.config = await store.snapshot();
    const [nodes, permits, assignments] = await Promise.all([
      this.watchedRecords<NodeRecord>('node', (w) => readNodes(zk, w)),
      this.watchedRecords<PermitRecord>('permit', (w) => readPermits(zk, w)),
      readAssignments(zk, { children: this.watches.watcher('assignments') }),
    ]);
    const plan = planAssignments({
      channels: this.config.channels,
      permits: new Map([...permits].map(([name, { value }]) => [name, value])),
      nodes: new Map([...nodes].map(([id, { value }]) => [id, value])),
      assignments,
    });
    if (this.stopped) return;
    await this.commit(plan, assignments);
  }

  /** Children and each child's data, watched. */
  private async watchedRecords<T>(kind: string, read: (w: Parameters<typeof readNodes>[1]) => Promise<Map<string, Stored<T>>>): Promise<Map<string, Stored<T>>> {
    const asked = new Set<string>();
    const records = await read({
      children: this.watches.watcher(`${kind}s`),
      data: (name) => {
        asked.add(name);
        return this.watches.watcher(`${kind}:${name}`);
      },
    });
    for (const name of asked) if (!records.has(name)) this.watches.disarm(`${kind}:${name}`);
    return records;
  }

  private async commit(plan: AssignmentPlan, assignments: ReadonlyMap<string, Stored<AssignmentRecord>>): Promise<void> {
    const { zk, log } = this.ctx;
    for (const { pipeline, channel } of plan.unplaced) log.debug({ pipeline, channel }, 'no eligible node for pipeline');
    if (plan.assign.length === 0 && plan.remove.length === 0) return;
    const ops: ZkOp[] = [];
    const at = new Date().toISOString();
    if (plan.assign.length > 0) {
      const counter = await zk.exists(zkPaths.assignments);
      if (counter === null) throw new Error(`${zkPaths.assignments} is missing`);
      ops.push({ op: 'set', path: zkPaths.assignments, data: '', version: counter });
      for (const a of plan.assign) {
        const epoch = Math.max(counter + 1, (a.previous?.epoch ?? 0) + 1);
        const record: AssignmentRecord = { pipeline: a.pipeline, channel: a.channel, node: a.node, epoch, state: 'pending', at };
        const data = JSON.stringify(record);
        ops.push(a.previous ? { op: 'set', path: zkPaths.assignment(a.pipeline), data, version: a.previous.version } : { op: 'create', path: zkPaths.assignment(a.pipeline), data });
      }
    }
    for (const r of plan.remove) ops.push({ op: 'remove', path: zkPaths.assignment(r.pipeline), version: r.version });
    try {
      await zk.multi(ops);
    } catch (error) {
      const raced = isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');
      if (!raced) throw error;
      // Someone else (a node acking, another leader, an API delete) wrote first: read again.
      log.debug({ detail: describeError(error) }, 'assignments changed during the pass; re-reading');
      this.again = true;
      return;
    }
    for (const a of plan.assign) {
      log.info({ pipeline: a.pipeline, channel: a.channel, node: a.node, from: a.previous?.node, assigned: assignments.has(a.pipeline) ? 'moved' : 'new' }, 'pipeline assigned');
    }
    for (const r of plan.remove) log.info({ pipeline: r.pipeline, reason: r.reason }, 'assignment removed');
  }
}

export const simpleScheduler = (options?: SimpleSchedulerOptions) => (ctx: LeaderDutyContext): LeaderDuty => new SimpleScheduler(ctx, options);
