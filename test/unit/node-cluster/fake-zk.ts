import { FerryError } from '../../../shared/errors/index.ts';
import type { NodeData, WatchEvent, Watcher } from '../../../shared/zk/zk-client.ts';

/**
 * An in-memory stand-in for the reads of ZkClient that set watches (exists, getData,
 * getChildren), with ZooKeeper's watch semantics: one-shot, registered by the read itself,
 * kept by the client until they fire. `duringRead` lets a test land a change after the
 * server registered a read's watch and before the caller handled the answer (the race a
 * real client meets when the answer and the notification arrive in one packet).
 */
export class FakeZk {
  private readonly nodes = new Map<string, { data: Buffer; version: number }>();
  private readonly watchers = new Map<string, Watcher[]>();
  /** Runs once, synchronously, inside the next read of `path` after its watch is registered. */
  private readonly duringRead = new Map<string, () => void>();

  set(path: string, data: string): void {
    const node = this.nodes.get(path);
    const created = node === undefined;
    this.nodes.set(path, { data: Buffer.from(data), version: created ? 0 : node.version + 1 });
    this.fire(`data:${path}`, { type: created ? 'created' : 'data-changed', path });
    const parent = parentOf(path);
    if (created && parent) this.fire(`children:${parent}`, { type: 'children-changed', path: parent });
  }

  /** Lands `change` inside the next read of `path`, after that read registered its watch. */
  onNextRead(path: string, change: () => void): void {
    this.duringRead.set(path, change);
  }

  /** Watcher functions held for `path` (data and children watches). */
  watcherCount(path?: string): number {
    let count = 0;
    for (const [key, list] of this.watchers) if (path === undefined || key.endsWith(`:${path}`)) count += list.length;
    return count;
  }

  exists(path: string, watcher?: Watcher): Promise<number | null> {
    if (watcher) this.register(`data:${path}`, watcher);
    const version = this.nodes.get(path)?.version ?? null;
    this.readHook(path);
    return Promise.resolve(version);
  }

  getData(path: string, watcher?: Watcher): Promise<NodeData> {
    const node = this.nodes.get(path);
    if (!node) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { path }));
    if (watcher) this.register(`data:${path}`, watcher);
    this.readHook(path);
    return Promise.resolve({ data: node.data, version: node.version, ephemeralOwner: '0' });
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    if (!this.nodes.has(path)) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { path }));
    if (watcher) this.register(`children:${path}`, watcher);
    const prefix = `${path}/`;
    const children = [...this.nodes.keys()].filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/')).map((key) => key.slice(prefix.length));
    this.readHook(path);
    return Promise.resolve(children);
  }

  private register(key: string, watcher: Watcher): void {
    this.watchers.set(key, [...(this.watchers.get(key) ?? []), watcher]);
  }

  private readHook(path: string): void {
    const change = this.duringRead.get(path);
    if (!change) return;
    this.duringRead.delete(path);
    change();
  }

  private fire(key: string, event: WatchEvent): void {
    const list = this.watchers.get(key) ?? [];
    this.watchers.delete(key);
    for (const watcher of list) watcher(event);
  }
}

function parentOf(path: string): string | undefined {
  const at = path.lastIndexOf('/');
  return at > 0 ? path.slice(0, at) : undefined;
}
