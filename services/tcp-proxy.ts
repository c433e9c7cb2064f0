import { WanProxy, type ProxyLink } from './wan-proxy.ts';

export type { ProxyLink } from './wan-proxy.ts';

/**
 * A TCP forwarder on 127.0.0.1 for network-fault tests: a WanProxy with no delay and no rate
 * limit that can "go dark", the way a dead switch or a firewall that dropped its state does:
 * every socket stays open, nothing is closed or reset, but no byte gets through in either
 * direction, on existing links and on new ones. resume() lets the held bytes through, in
 * order, and whatever end a side sent meanwhile.
 */
export class TcpProxy {
  private trigger: ((chunk: Buffer) => boolean) | undefined;
  /** The link whose chunk set goDarkWhen() off. */
  private triggeredBy: number | undefined;
  private wan!: WanProxy;

  private constructor() {}

  /** Listens on a free port of 127.0.0.1 (or `port`) and forwards to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy();
    proxy.wan = await WanProxy.start({ target: { host: targetHost, port: targetPort }, listen: { port }, onClientData: (chunk, link) => proxy.watch(chunk, link) });
    return proxy;
  }

  get port(): number {
    return this.wan.port;
  }

  get isDark(): boolean {
    return this.wan.isBlackholed;
  }

  /** The link whose chunk matched goDarkWhen(), once one did. */
  get triggeredLink(): ProxyLink | undefined {
    return this.list().find((link) => link.id === this.triggeredBy);
  }

  /** A snapshot of every link so far. */
  list(): ProxyLink[] {
    return this.wan.links();
  }

  /** Stops forwarding in both directions on every link, existing and new; nothing is closed. */
  goDark(): void {
    this.wan.blackhole();
  }

  /**
   * Goes dark the moment a client sends a chunk that `match` accepts, before forwarding it:
   * "the path died just as the COMMIT was sent".
   */
  goDarkWhen(match: (chunk: Buffer) => boolean): void {
    this.trigger = match;
  }

  /** Forwards again: first what was held, then a held end, then live traffic. */
  resume(): void {
    this.trigger = undefined;
    this.wan.heal();
  }

  /** Closes the listener and destroys every link. */
  close(): Promise<void> {
    return this.wan.close();
  }

  private watch(chunk: Buffer, link: ProxyLink): void {
    if (!this.trigger?.(chunk)) return;
    this.trigger = undefined;
    this.triggeredBy = link.id;
    this.wan.blackhole();
  }
}
