import type { ConfigStore } from '../shared/cluster/config-store.ts';
import { describeError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { settleWithin } from '../shared/timeouts.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';

/** How long losing leadership waits for a duty to stop before the next term may start. */
const STOP_WAIT_MS = 3_000;

/**
 * The background work only the leader does: the scheduler (with the node monitor and the
 * placement policies) and the alarm monitor, each a duty (manager/manager-process.ts).
 *
 * A duty instance lives for one leadership term on one ZooKeeper session: `create` is called
 * each time leadership is gained and `stop` when it is lost, so no state leaks from a term to
 * the next. Every write a duty makes must be a compare-and-set on what it read, because for a
 * moment around a handover two managers may both think they lead.
 */
export interface LeaderDutyContext {
  managerId: string;
  zk: ZkClient;
  store: ConfigStore;
  log: Logger;
}

export interface LeaderDuty {
  readonly name: string;
  start(): void;
  /** Resolves when the duty has stopped writing. */
  stop(): Promise<void>;
}

export type LeaderDutyFactory = (context: LeaderDutyContext) => LeaderDuty;

export class LeaderDuties {
  private running: LeaderDuty[] = [];
  /** Transitions run one after another: a stop always completes before the next start. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly factories: readonly LeaderDutyFactory[],
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.running.length > 0;
  }

  /** Starts every duty (when not already running) on the given session. */
  start(context: Omit<LeaderDutyContext, 'log'>): Promise<void> {
    return this.enqueue(() => {
      if (this.running.length > 0) return Promise.resolve();
      this.running = this.factories.map((create) => create({ ...context, log: this.log }));
      for (const duty of this.running) {
        duty.start();
        this.log.info({ duty: duty.name }, 'leader duty started');
      }
      return Promise.resolve();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      const stopping = this.running;
      this.running = [];
      await Promise.all(stopping.map(async (duty) => {
        // A request on a dead session may never be answered: do not let it hold up the next term.
        const outcome = await settleWithin(duty.stop().then(() => 'stopped' as const), STOP_WAIT_MS, 'late' as const);
        if (outcome === 'late') this.log.warn({ duty: duty.name, waitedMs: STOP_WAIT_MS }, 'leader duty did not stop in time; going on (its writes are compare-and-set)');
        else this.log.info({ duty: duty.name }, 'leader duty stopped');
      }));
    });
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.log.error({ detail: describeError(error) }, 'leader duty transition failed');
    });
    return this.queue;
  }
}
