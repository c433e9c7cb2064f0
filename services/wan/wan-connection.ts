import { createConnection, type Socket } from 'node:net';
import type { LinkItem, LinkItemKind } from './link-direction.ts';

/** client -> server is `up`, server -> client is `down`. */
export type Direction = 'up' | 'down';

/** One client connection through the proxy, as tests and counters see it. */
export interface ProxyLink {
  readonly id: number;
  /** The upstream socket's local port: the server sees the link as 127.0.0.1:<this> (SHOW PROCESSLIST Host). */
  upstreamPort: number | undefined;
  /** The client closed its side (FIN, RST or a destroyed socket): it gave up on the link. */
  clientClosed: boolean;
  /** Whether the client closed while the link was blackholed, i.e. it noticed the silence by itself. */
  clientClosedWhileDark: boolean;
  /** Bytes delivered so far, client to server and server to client. */
  bytesUp: number;
  bytesDown: number;
}

/** What a connection needs from its proxy. */
export interface ConnectionHost {
  /** Enters an item into the link in `direction`. */
  push(direction: Direction, connection: WanConnection, kind: LinkItemKind, data?: Buffer): void;
  /** Whether the link is blackholed now. */
  isBlackholed(): boolean;
  /** The connection's two sockets are gone: forget it. */
  finished(connection: WanConnection): void;
  /** A connection's buffered bytes in `direction` reached `bytes` (for the peak counter). */
  buffered(direction: Direction, bytes: number): void;
}

/** Reading stops while a read this large could take a direction past its bound (a net.Socket reads at most 64 KiB at once). */
export const READ_RESERVE_BYTES = 64 * 1024;

/**
 * The two sockets of one connection through the WAN proxy and what it holds of theirs. In each
 * direction it counts the bytes it holds (in the link, and written to the far socket but not yet
 * taken by the kernel) and stops reading the near socket while one more read could exceed the
 * bound: TCP back-pressure then reaches the sender, and memory stays bounded whatever it sends.
 */
export class WanConnection {
  readonly link: ProxyLink;
  upstream: Socket | undefined;
  private readonly inLink = { up: 0, down: 0 };
  private readonly unflushed = { up: 0, down: 0 };
  /** The near socket's stream is over (FIN or reset entered into the link). */
  private readonly sourceDone = { up: false, down: false };
  private readonly closed = { client: false, upstream: false };
  private isFinished = false;

  constructor(id: number, readonly client: Socket, private readonly host: ConnectionHost, private readonly boundBytes: number) {
    this.link = { id, upstreamPort: undefined, clientClosed: false, clientClosedWhileDark: false, bytesUp: 0, bytesDown: 0 };
    client.on('data', (chunk: Buffer) => this.read('up', chunk));
    client.on('end', () => {
      this.clientGone();
      this.sourceOver('up', 'end');
    });
    client.on('error', () => this.clientGone());
    client.on('close', () => {
      this.clientGone();
      this.sourceOver('up', 'reset');
      this.closed.client = true;
      this.finishIfClosed();
    });
  }

  get done(): boolean {
    return this.isFinished;
  }

  /** Bytes held for `direction` now. */
  bufferedBytes(direction: Direction): number {
    return this.inLink[direction] + this.unflushed[direction];
  }

  /** Delivers an item that crossed the link in `direction`. */
  deliver(direction: Direction, item: LinkItem<WanConnection>, target: { host: string; port: number }): void {
    if (item.kind === 'open') {
      // The client gave up before its SYN got through: no connection is made at all.
      if (this.link.clientClosed) this.finish();
      else this.connectUpstream(target);
      return;
    }
    const to = direction === 'up' ? this.upstream : this.client;
    if (item.kind === 'data') {
      const bytes = item.data!.length;
      this.inLink[direction] -= bytes;
      if (to === undefined || to.destroyed || to.writableEnded) {
        this.readAgainIfRoom(direction);
        return;
      }
      if (direction === 'up') this.link.bytesUp += bytes;
      else this.link.bytesDown += bytes;
      this.unflushed[direction] += bytes;
      to.write(item.data!, () => {
        this.unflushed[direction] -= bytes;
        this.readAgainIfRoom(direction);
      });
      return;
    }
    if (to === undefined || to.destroyed) return;
    if (item.kind === 'end') to.end();
    else to.resetAndDestroy();
  }

  /** Resets both sockets (a cut link): each end sees its connection reset. */
  reset(): void {
    this.finish();
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.upstream !== undefined && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  }

  /** Destroys both sockets (the proxy closes). */
  destroy(): void {
    this.finish();
    this.client.destroy();
    this.upstream?.destroy();
  }

  private connectUpstream(target: { host: string; port: number }): void {
    const upstream = createConnection({ host: target.host, port: target.port, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.once('connect', () => (this.link.upstreamPort = upstream.localPort));
    upstream.on('data', (chunk: Buffer) => this.read('down', chunk));
    upstream.on('end', () => this.sourceOver('down', 'end'));
    upstream.on('error', () => undefined);
    upstream.on('close', () => {
      this.sourceOver('down', 'reset');
      this.closed.upstream = true;
      this.finishIfClosed();
    });
    if (this.bufferedBytes('down') + READ_RESERVE_BYTES > this.boundBytes) upstream.pause();
  }

  private read(direction: Direction, chunk: Buffer): void {
    if (this.isFinished) return;
    this.inLink[direction] += chunk.length;
    this.host.buffered(direction, this.bufferedBytes(direction));
    if (this.bufferedBytes(direction) + READ_RESERVE_BYTES > this.boundBytes) this.source(direction)?.pause();
    this.host.push(direction, this, 'data', chunk);
  }

  private readAgainIfRoom(direction: Direction): void {
    const source = this.source(direction);
    if (source !== undefined && source.isPaused() && !this.isFinished && this.bufferedBytes(direction) + READ_RESERVE_BYTES <= this.boundBytes) source.resume();
  }

  private source(direction: Direction): Socket | undefined {
    return direction === 'up' ? this.client : this.upstream;
  }

  /** The near socket's stream ended (`end`, a FIN) or broke (`reset`): that crosses the link after its bytes. */
  private sourceOver(direction: Direction, how: 'end' | 'reset'): void {
    if (this.sourceDone[direction] || this.isFinished) return;
    this.sourceDone[direction] = true;
    this.host.push(direction, this, how);
  }

  private clientGone(): void {
    if (this.link.clientClosed) return;
    this.link.clientClosed = true;
    this.link.clientClosedWhileDark = this.host.isBlackholed();
  }

  /** Both sockets closed. (An upstream never opened: the client's SYN, still in the link, finishes it on arrival.) */
  private finishIfClosed(): void {
    if (this.closed.client && this.closed.upstream) this.finish();
  }

  private finish(): void {
    if (this.isFinished) return;
    this.isFinished = true;
    this.host.finished(this);
  }
}
