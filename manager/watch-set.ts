/**
 * One-shot ZooKeeper watches set only where none is armed. The client library keeps every
 * watcher function it is given until it fires, so re-reading a quiet path every few seconds
 * with a fresh watcher each time would pile them up; with this, a path holds at most one.
 */
export class WatchSet {
  private readonly armed = new Set<string>();

  constructor(private readonly onFire: () => void) {}

  /** A watcher for `key`, or undefined when one is armed already (it will fire). */
  watcher(key: string): (() => void) | undefined {
    if (this.armed.has(key)) return undefined;
    this.armed.add(key);
    return () => {
      this.armed.delete(key);
      this.onFire();
    };
  }

  /** The read that should have set it failed or found no node: no watch is set, arm again next time. */
  disarm(key: string): void {
    this.armed.delete(key);
  }

  /** After a failed read nobody knows which watches were set: arm them all again (a few duplicates at worst). */
  clear(): void {
    this.armed.clear();
  }
}
