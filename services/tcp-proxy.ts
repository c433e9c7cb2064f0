import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** One client connection through the proxy and its upstream connection. */
export interface ProxyLink {
  readonly id: number;
  /** The upstream socket's local port: the server sees the link as 127.0.0.1:<this> (SHOW PROCESSLIST Host). */
  upstreamPort: number | undefined;
  /** The client closed its side (FIN, RST or a destroyed socket): it gave up on the link. */
  clientClosed: boolean;
  /** Whether the client closed while the path was dark, i.e. it noticed the silence by itself. */
  clientClosedWhileDark: boolean;
  /** Bytes forwarded so far, client to server and server to client. */
  bytesUp: number;
  bytesDown: number;
}

interface LinkState extends ProxyLink {
  client: Socket;
  upstream: Socket;
  /** Held while dark, forwarded in order on resume (TCP would retransmit them once the path is back). */
  heldUp: Buffer[];
  heldDown: Buffer[];
  clientEnded: boolean;
  upstreamEnded: boolean;
}

/**
 * A TCP forwarder on 127.0.0.1 for network-fault tests: it forwards to one server and can
 * "go dark", the way a dead switch or a firewall that dropped its state does: every socket
 * stays open, nothing is closed or reset, but no byte gets through in either direction, on
 * existing links and on new ones. resume() lets the held bytes through, in order, and
 * whatever end a side sent meanwhile.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly links: LinkState[] = [];
  private dark = false;
  private nextId = 1;
  private trigger: ((chunk: Buffer) => boolean) | undefined;
  /** The link whose chunk set goDarkWhen() off. */
  private triggeredBy: number | undefined;

  private constructor(private readonly targetHost: string, private readonly targetPort: number) {
    this.server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 (or `port`) and forwards to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  get isDark(): boolean {
    return this.dark;
  }

  /** The link whose chunk matched goDarkWhen(), once one did. */
  get triggeredLink(): ProxyLink | undefined {
    return this.list().find((link) => link.id === this.triggeredBy);
  }

  /** A snapshot of every link so far. */
  list(): ProxyLink[] {
    return this.links.map(({ id, upstreamPort, clientClosed, clientClosedWhileDark, bytesUp, bytesDown }) => ({ id, upstreamPort, clientClosed, clientClosedWhileDark, bytesUp, bytesDown }));
  }

  /** Stops forwarding in both directions on every link, existing and new; nothing is closed. */
  goDark(): void {
    this.dark = true;
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
    this.dark = false;
    this.trigger = undefined;
    for (const link of this.links) this.flush(link);
  }

  /** Closes the listener and destroys every link. */
  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true });
    const link: LinkState = {
      id: this.nextId++, upstreamPort: undefined, clientClosed: false, clientClosedWhileDark: false, bytesUp: 0, bytesDown: 0,
      client, upstream, heldUp: [], heldDown: [], clientEnded: false, upstreamEnded: false,
    };
    this.links.push(link);
    upstream.once('connect', () => (link.upstreamPort = upstream.localPort));
    client.on('data', (chunk: Buffer) => {
      if (this.trigger?.(chunk)) {
        this.trigger = undefined;
        this.triggeredBy = link.id;
        this.dark = true;
      }
      if (this.dark) link.heldUp.push(chunk);
      else this.send(link, 'up', chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.dark) link.heldDown.push(chunk);
      else this.send(link, 'down', chunk);
    });
    const clientGone = () => {
      if (link.clientClosed) return;
      link.clientClosed = true;
      link.clientClosedWhileDark = this.dark;
    };
    client.on('end', () => {
      clientGone();
      link.clientEnded = true;
      if (!this.dark) this.flush(link);
    });
    client.on('error', clientGone);
    client.on('close', () => {
      clientGone();
      link.clientEnded = true;
      if (!this.dark) this.flush(link);
    });
    upstream.on('end', () => {
      link.upstreamEnded = true;
      if (!this.dark) this.flush(link);
    });
    upstream.on('error', () => {
      link.upstreamEnded = true;
      if (!this.dark) this.flush(link);
    });
  }

  private send(link: LinkState, direction: 'up' | 'down', chunk: Buffer): void {
    const to = direction === 'up' ? link.upstream : link.client;
    if (to.destroyed || to.writableEnded) return;
    to.write(chunk);
    if (direction === 'up') link.bytesUp += chunk.length;
    else link.bytesDown += chunk.length;
  }

  private flush(link: LinkState): void {
    for (const chunk of link.heldUp.splice(0)) this.send(link, 'up', chunk);
    for (const chunk of link.heldDown.splice(0)) this.send(link, 'down', chunk);
    if (link.clientEnded && !link.upstream.writableEnded) link.upstream.end();
    if (link.upstreamEnded && !link.client.writableEnded) link.client.end();
  }
}
