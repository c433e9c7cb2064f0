import { EventLog } from '../../shared/cluster/event-log.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { FerryMetrics } from '../../shared/metrics/registry.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

/** The event types the arbiter writes (shared/cluster/arbiter/): ferry_arbiter_actions_total's actions. */
export const ARBITER_ACTIONS: ReadonlySet<string> = new Set(['ROLLBACK', 'RESTART', 'PAUSE', 'START', 'STOP', 'WARNING']);

/** Events read per scrape at most; the log keeps about 1000. */
const EVENTS_PER_SCRAPE = 1_000;

export interface ClusterMetricsSource {
  isLeader(): boolean;
  /** The current session, if any. */
  zk(): ZkClient | undefined;
  log: Logger;
}

/**
 * The cluster-level series, exported by the leader only (every manager reads the same
 * ZooKeeper, so two exporting them would double every sum): ferry_node_up for every node this
 * manager has seen registered since it became leader (1 while registered, 0 once gone), and
 * ferry_arbiter_actions_total counted from the event log, where every arbiter action ends
 * whoever ran it (a node, an API call, the scheduler), from the first scrape of its term on.
 * A manager that is not the leader exports neither.
 */
export class ClusterMetrics {
  private readonly seenNodes = new Set<string>();
  /** The newest event counted; undefined until the term's first scrape sets the baseline. */
  private lastEventId: number | undefined;

  constructor(private readonly metrics: FerryMetrics, private readonly source: ClusterMetricsSource) {
    metrics.onScrape(() => this.refresh());
  }

  /** The refresh under way: scrapes at the same time share it, so no event is counted twice. */
  private refreshing: Promise<void> | undefined;

  private refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    const zk = this.source.zk();
    if (!this.source.isLeader() || zk === undefined) {
      this.forget();
      return;
    }
    try {
      await this.nodes(zk);
      await this.events(zk);
    } catch (error) {
      // The scrape still answers, with the last values: a ZooKeeper outage shows in ferry_zk_session_state.
      this.source.log.warn({ detail: describeError(error) }, 'cluster metrics not refreshed');
    }
  }

  private forget(): void {
    this.seenNodes.clear();
    this.lastEventId = undefined;
    this.metrics.series.nodeUp.reset();
    this.metrics.series.arbiterActions.reset();
  }

  private async nodes(zk: ZkClient): Promise<void> {
    const live = new Set(await zk.getChildren(zkPaths.nodes).catch((error: unknown) => {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return [];
      throw error;
    }));
    for (const node of live) this.seenNodes.add(node);
    for (const node of this.seenNodes) this.metrics.series.nodeUp.set({ node }, live.has(node) ? 1 : 0);
  }

  private async events(zk: ZkClient): Promise<void> {
    const log = new EventLog(zk);
    if (this.lastEventId === undefined) {
      const [newest] = await log.list({ limit: 1 });
      this.lastEventId = newest === undefined ? -1 : Number(newest.id);
      for (const action of ARBITER_ACTIONS) this.metrics.series.arbiterActions.inc({ action }, 0);
      return;
    }
    const events = await log.list({ since: String(this.lastEventId), limit: EVENTS_PER_SCRAPE });
    for (const event of events) {
      this.lastEventId = Math.max(this.lastEventId, Number(event.id));
      if (ARBITER_ACTIONS.has(event.type)) this.metrics.series.arbiterActions.inc({ action: event.type });
    }
  }
}
