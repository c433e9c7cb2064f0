import { WanProxy, type WanStats } from '../services/index.ts';
import type { Logger } from '../shared/logging.ts';

/**
 * One way of the chaos WAN, in ms: small, so the load is not slowed, but never zero, so
 * that every pipe byte really crosses the emulated link (and its faults).
 */
export const WAN_DELAY_MS = 5;

/**
 * Offsets from the cluster's free port base (`findFreeBase`) of each node's pipe port and
 * of the proxy in front of it: fixed at start, so a node killed and started again listens
 * and is dialled on the same ones.
 */
export function wanPortOffsets(nodes: number): { pipe: number[]; proxy: number[] } {
  const range = Array.from({ length: nodes }, (_, i) => i);
  return { pipe: range.map((i) => 300 + i), proxy: range.map((i) => 400 + i) };
}

/**
 * The WAN between the chaos cluster's datacenters: every node serves its pipe behind a
 * WanProxy of its own in this process and advertises the proxy, so that every pipe
 * connection, whichever way it goes, crosses it. `cut`, `blackhole` and `heal` act on every
 * link at once (the one WAN fails, not one node's port). Started empty by the run, filled by
 * the cluster as it starts nodes, closed by the run whatever failed.
 */
export class ChaosWan {
  private readonly links = new Map<string, WanProxy>();

  constructor(private readonly log: Logger) {}

  /** A link in front of `pipePort` listening on `proxyPort`; returns the address the node advertises. */
  async add(node: string, pipePort: number, proxyPort: number): Promise<string> {
    const proxy = await WanProxy.start({ target: { host: '127.0.0.1', port: pipePort }, listen: { host: '127.0.0.1', port: proxyPort }, delayMs: WAN_DELAY_MS });
    this.links.set(node, proxy);
    return proxy.address;
  }

  /** Every pipe connection reset, new ones refused, until heal(). */
  cut(): void {
    for (const proxy of this.links.values()) proxy.cut();
    this.log.info({ links: this.links.size }, 'chaos wan cut');
  }

  /** Nothing crosses either way and nothing is closed, until heal(). */
  blackhole(): void {
    for (const proxy of this.links.values()) proxy.blackhole();
    this.log.info({ links: this.links.size }, 'chaos wan blackholed');
  }

  heal(): void {
    for (const proxy of this.links.values()) proxy.heal();
    this.log.info({ links: this.links.size, stats: this.stats() }, 'chaos wan healed');
  }

  /** Per node: bytes each way, connections accepted, open and refused. */
  stats(): Record<string, Pick<WanStats, 'state' | 'connections'> & { upBytes: number; downBytes: number }> {
    return Object.fromEntries([...this.links].map(([node, proxy]) => {
      const s = proxy.stats();
      return [node, { state: s.state, connections: s.connections, upBytes: s.up.bytes, downBytes: s.down.bytes }];
    }));
  }

  /**
   * Closes every link, waiting 5 s at most: after runs that failed with the link healed but
   * the channel paused, a proxy's close never resolved, and with nothing else pending the
   * process then exited before stopping the servers (seen twice; not investigated further).
   */
  async close(): Promise<void> {
    const closing = Promise.all([...this.links.values()].map((proxy) => proxy.close()));
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
    await Promise.race([closing, bounded]);
    clearTimeout(timer);
    this.links.clear();
  }
}
