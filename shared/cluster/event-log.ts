import { isFerryError } from '../errors/index.ts';
import type { Logger } from '../logging.ts';
import type { ZkClient } from '../zk/zk-client.ts';
import { zkPaths } from './zk-paths.ts';

/**
 * The cluster's event log: who raised what and why (arbiter actions, channel commands, node
 * liveness, alarms). One persistent-sequential znode per event under /events; ZooKeeper's
 * sequence gives every writer (managers and nodes) one order without agreeing on clocks.
 * The oldest events are pruned so the directory stays small.
 */

export type KnownEventType =
  | 'WARNING' | 'ROLLBACK' | 'RESTART' | 'PAUSE' | 'START' | 'STOP' | 'PLACEMENT'
  | 'NODE_DOWN' | 'NODE_UP' | 'ALARM_RAISED' | 'ALARM_CLEARED' | 'VERIFY_DONE' | 'VERIFY_FAILED';
/** A known type, or any other string a later feature adds. */
export type EventType = KnownEventType | (string & NonNullable<unknown>);

export interface EventInput {
  type: EventType;
  channel?: string;
  pipeline?: string;
  node?: string;
  /** Who acted: 'arbiter', 'manager:m1', 'node:n3', 'api:<token name>', ... */
  by: string;
  reason: string;
  details?: Record<string, unknown>;
}

export interface EventRecord extends EventInput {
  /** The znode's sequence number as a decimal string; orders events. */
  id: string;
  /** Wall clock of the writer, display only: order by id, never by this. */
  at: string;
}

export interface EventListQuery {
  /** @default 100 */
  limit?: number;
  channel?: string;
  type?: EventType;
  /** Only events newer than this id. */
  since?: string;
}

export interface EventLogOptions {
  /** Events kept; pruning starts once there are 10% more. @default 1000 */
  maxEvents?: number;
  log?: Logger;
}

const PREFIX = zkPaths.eventPrefix.slice(zkPaths.events.length + 1);
const READ_CHUNK = 50;

const sequenceOf = (name: string): number => Number(name.slice(PREFIX.length));
const isNoNode = (error: unknown): boolean => isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');

export class EventLog {
  private readonly maxEvents: number;

  constructor(private readonly zk: ZkClient, private readonly options: EventLogOptions = {}) {
    this.maxEvents = options.maxEvents ?? 1000;
  }

  /** Records an event. Pruning failures are logged, never thrown: the event itself is written. */
  async append(event: EventInput): Promise<EventRecord> {
    const at = new Date().toISOString();
    // The id is the sequence ZooKeeper assigns on create, so it is not in the stored JSON;
    // readers take it from the znode name.
    const body = JSON.stringify({ at, ...event });
    let created: string;
    try {
      created = await this.zk.create(zkPaths.eventPrefix, body, 'persistent-sequential');
    } catch (error) {
      if (!isNoNode(error)) throw error;
      await this.zk.mkdirp(zkPaths.events); // parents come with start-up; a bare chroot lacks them
      created = await this.zk.create(zkPaths.eventPrefix, body, 'persistent-sequential');
    }
    await this.prune().catch((error: unknown) => this.options.log?.warn({ err: error }, 'event log pruning failed'));
    return { ...event, id: String(sequenceOf(created.slice(zkPaths.events.length + 1))), at };
  }

  /** Newest first. */
  async list(query: EventListQuery = {}): Promise<EventRecord[]> {
    const limit = query.limit ?? 100;
    const since = query.since === undefined ? -1 : Number(query.since);
    const names = (await this.names()).filter((name) => sequenceOf(name) > since).reverse();
    const found: EventRecord[] = [];
    // Read in chunks until enough match the filters: most queries stop after the first chunk.
    for (let start = 0; start < names.length && found.length < limit; start += READ_CHUNK) {
      const records = await Promise.all(names.slice(start, start + READ_CHUNK).map((name) => this.read(name)));
      for (const record of records) {
        if (!record || (query.channel !== undefined && record.channel !== query.channel) || (query.type !== undefined && record.type !== query.type)) continue;
        found.push(record);
        if (found.length === limit) break;
      }
    }
    return found;
  }

  /** Event znode names, oldest first. */
  private async names(): Promise<string[]> {
    try {
      const children = await this.zk.getChildren(zkPaths.events);
      return children.filter((name) => name.startsWith(PREFIX)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
    } catch (error) {
      if (isNoNode(error)) return [];
      throw error;
    }
  }

  private async read(name: string): Promise<EventRecord | undefined> {
    try {
      const node = await this.zk.getData(`${zkPaths.events}/${name}`);
      return { ...(JSON.parse(node.data.toString()) as Omit<EventRecord, 'id'>), id: String(sequenceOf(name)) };
    } catch (error) {
      if (isNoNode(error)) return undefined; // pruned between the listing and the read
      throw error;
    }
  }

  /** Deletes the oldest events once there are 10% more than maxEvents (prunes in batches, not on every append). */
  private async prune(): Promise<void> {
    const names = await this.names();
    if (names.length <= this.maxEvents * 1.1) return;
    const oldest = names.slice(0, names.length - this.maxEvents);
    // Several writers may prune at once: someone else's deletion is fine.
    await Promise.all(oldest.map((name) => this.zk.remove(`${zkPaths.events}/${name}`).catch((error: unknown) => {
      if (!isNoNode(error)) throw error;
    })));
    this.options.log?.debug({ pruned: oldest.length }, 'event log pruned');
  }
}
