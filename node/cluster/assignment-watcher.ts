import type { ConfigStore } from '../../shared/cluster/config-store.ts';
import type { AssignmentRecord, ConfigSnapshot, PermitRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { AssignmentEntry, ClusterView, SelectAssignmentEntry } from './cluster-view.ts';

/**
 * Reads the cluster view from ZooKeeper and keeps watches on everything that can change what
 * this node runs: /assignments and /select-assignments (children and each one's data),
 * /permits (children and data) and the configuration epoch. Any watch firing calls `onChange`; the caller re-reads.
 *
 * ZooKeeper watches are one-shot and the client library keeps every watcher function it is
 * given until it fires, so a watch is set only where none is armed: periodic re-reads on a
 * quiet cluster then add nothing. A watch counts as armed from the moment its read is sent
 * (the server registers it with the read), not once the answer is handled: a change landing
 * in between fires it before the answer's continuation runs, and marking it armed after that
 * would leave the path unwatched for good (seen only by the safety reconcile). A read that
 * fails is taken to have registered nothing and its watch is disarmed (true of a missing
 * node; after a connection loss a second watcher is harmless, a missing one is not). One watcher belongs to one
 * session (a new client after session expiry gets a new AssignmentWatcher).
 */
export class AssignmentWatcher {
  /** key → the watcher armed for it; deleted when it fires or its read failed. */
  private readonly armed = new Map<string, () => void>();
  private snapshot: ConfigSnapshot | undefined;

  constructor(
    private readonly zk: ZkClient,
    private readonly store: ConfigStore,
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  async read(): Promise<ClusterView> {
    const epoch = await this.watched('epoch', (w) => this.store.epoch(w));
    // The configuration is read again only when its epoch moved.
    if (this.snapshot?.epoch !== epoch) this.snapshot = await this.store.snapshot();
    const [assignments, selectAssignments, permits] = await Promise.all([
      this.readAll<AssignmentRecord>(zkPaths.assignments, zkPaths.assignment),
      this.readAll<SelectAssignmentRecord>(zkPaths.selectAssignments, zkPaths.selectAssignment),
      this.readAll<PermitRecord>(zkPaths.permits, zkPaths.permit),
    ]);
    return {
      snapshot: this.snapshot,
      assignments: Object.fromEntries(Object.entries(assignments).filter(([name, entry]) => validAssignment(name, entry.value)).map(([name, { value, version }]): [string, AssignmentEntry] => [name, { record: value, version }])),
      selectAssignments: Object.fromEntries(Object.entries(selectAssignments).filter(([name, entry]) => validSelectAssignment(name, entry.value)).map(([name, { value, version }]): [string, SelectAssignmentEntry] => [name, { record: value, version }])),
      permits: Object.fromEntries(Object.entries(permits).map(([name, entry]) => [name, entry.value])),
    };
  }

  /** Arms and returns a watcher for `key` when none is armed, else undefined (the armed one will fire). */
  private arm(key: string): (() => void) | undefined {
    if (this.armed.has(key)) return undefined;
    const watcher = () => {
      if (this.armed.get(key) === watcher) this.armed.delete(key);
      this.onChange();
    };
    this.armed.set(key, watcher);
    return watcher;
  }

  /** Runs a read that registers the watch for `key` if none is armed; a failed read registered none. */
  private async watched<T>(key: string, read: (watcher: (() => void) | undefined) => Promise<T>): Promise<T> {
    const watcher = this.arm(key);
    try {
      return await read(watcher);
    } catch (error) {
      if (watcher && this.armed.get(key) === watcher) this.armed.delete(key);
      throw error;
    }
  }

  private async readAll<T>(parent: string, pathOf: (name: string) => string): Promise<Record<string, { value: T; version: number }>> {
    const names = await this.watched(`children:${parent}`, (w) => this.zk.getChildren(parent, w));
    const entries = await Promise.all(names.map(async (name) => {
      const path = pathOf(name);
      try {
        const node = await this.watched(`data:${path}`, (w) => this.zk.getData(path, w));
        return [name, { value: JSON.parse(node.data.toString('utf8')) as T, version: node.version }] as const;
      } catch (error) {
        // Deleted since the listing: the children watch reports it.
        if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
        if (error instanceof SyntaxError) {
          this.log.warn({ path }, 'znode holds no valid JSON, ignored');
          return undefined;
        }
        throw error;
      }
    }));
    return Object.fromEntries(entries.filter((entry) => entry !== undefined));
  }
}

function validAssignment(name: string, value: unknown): value is AssignmentRecord {
  const record = value as Partial<AssignmentRecord> | null;
  return typeof record === 'object' && record !== null && record.pipeline === name && typeof record.node === 'string' && typeof record.channel === 'string' && typeof record.epoch === 'number';
}

function validSelectAssignment(name: string, value: unknown): value is SelectAssignmentRecord {
  const pipe = (value as Partial<SelectAssignmentRecord> | null)?.pipe;
  return validAssignment(name, value) && typeof pipe === 'object' && pipe !== null && typeof pipe.secret === 'string' && typeof pipe.address === 'string' && typeof pipe.loadNode === 'string' && typeof pipe.loadEpoch === 'number' && typeof pipe.tls === 'boolean';
}
