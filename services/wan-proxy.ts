import { createServer, type Server, type Socket } from 'node:net';
import { LinkDirection, type DirectionSettings } from './wan/link-direction.ts';
import { WanConnection, type ConnectionHost, type Direction, type ProxyLink } from './wan/wan-connection.ts';

export type { Direction, ProxyLink } from './wan/wan-connection.ts';

/** Bytes per second of `mbit` megabits per second (10^6 bits). */
export function mbitToBytesPerSecond(mbit: number): number {
  return (mbit * 1_000_000) / 8;
}

export interface WanProxyOptions {
  /** Where the proxy forwards to. */
  target: { host: string; port: number };
  /** Where it listens. @default 127.0.0.1 on a free port */
  listen?: { host?: string; port?: number };
  /** One-way delay in ms, each direction (up and down override it). @default 0 */
  delayMs?: number;
  /** Bytes per second, each direction; 0 is no limit. @default 0 */
  rateBytesPerSecond?: number;
  up?: Partial<DirectionSettings>;
  down?: Partial<DirectionSettings>;
  /**
   * Bytes a connection may have held in the proxy per direction (in the link and not yet
   * flushed to the far socket), as a TCP window: past it the proxy stops reading that socket.
   * It also caps throughput with no rate limit at bufferBytes / delay. @default 4 MiB
   */
  bufferBytes?: number;
  /** Sees every chunk a client sends, before it enters the link (TcpProxy's goDarkWhen). */
  onClientData?: (chunk: Buffer, link: ProxyLink) => void;
}

export interface DirectionStats {
  delayMs: number;
  rateBytesPerSecond: number;
  /** Bytes that crossed the link (delivered at the far end). */
  bytes: number;
  /** Bytes held now, over every connection. */
  bufferedBytes: number;
  /** The most one connection ever held in this direction (never above bufferBytes). */
  peakBufferedBytes: number;
}

export interface WanStats {
  listen: string;
  to: string;
  state: 'up' | 'blackholed' | 'cut';
  bufferBytes: number;
  up: DirectionStats;
  down: DirectionStats;
  connections: { accepted: number; open: number; refused: number };
}

const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
const MIN_BUFFER_BYTES = 128 * 1024;

/**
 * A WAN link emulator on loopback, for tests and the benchmark where tc/netem is not available:
 * a TCP proxy that, per direction, delays every byte by a one-way latency, limits bandwidth,
 * and keeps order, with a bounded buffer per connection so that a fast sender is slowed by TCP
 * back-pressure. Faults: cut() resets every connection, blackhole() stops every byte without
 * closing anything (a half-open path), heal() ends either. Delay and rate change at runtime.
 */
export class WanProxy {
  private readonly server: Server;
  private readonly directions: Record<Direction, LinkDirection<WanConnection>>;
  private readonly open = new Set<WanConnection>();
  private readonly history: ProxyLink[] = [];
  private readonly bufferBytes: number;
  private readonly peak = { up: 0, down: 0 };
  private readonly counts = { accepted: 0, refused: 0 };
  private state: WanStats['state'] = 'up';
  private nextId = 1;
  private lastAddress = '';
  private readonly host: ConnectionHost;

  private constructor(private readonly options: WanProxyOptions) {
    this.bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!(this.bufferBytes >= MIN_BUFFER_BYTES)) throw new RangeError(`bufferBytes must be at least ${MIN_BUFFER_BYTES}, got ${this.bufferBytes}`);
    const settings = (own: Partial<DirectionSettings> | undefined): DirectionSettings => ({
      delayMs: checkDelay(own?.delayMs ?? options.delayMs ?? 0),
      rateBytesPerSecond: checkRate(own?.rateBytesPerSecond ?? options.rateBytesPerSecond ?? 0),
    });
    this.directions = {
      up: new LinkDirection(settings(options.up), (item) => item.connection.deliver('up', item, options.target)),
      down: new LinkDirection(settings(options.down), (item) => item.connection.deliver('down', item, options.target)),
    };
    this.host = {
      push: (direction, connection, kind, data) => this.directions[direction].push(connection, kind, data),
      isBlackholed: () => this.state === 'blackholed',
      finished: (connection) => {
        this.open.delete(connection);
        for (const direction of Object.values(this.directions)) direction.discard((c) => c === connection);
      },
      buffered: (direction, bytes) => (this.peak[direction] = Math.max(this.peak[direction], bytes)),
    };
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (client) => this.accept(client));
  }

  static async start(options: WanProxyOptions): Promise<WanProxy> {
    const proxy = new WanProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', () => {
        proxy.server.off('error', reject);
        void proxy.address;
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** host:port the proxy listens (or listened) on. */
  get address(): string {
    const address = this.server.address();
    if (typeof address === 'object' && address !== null) this.lastAddress = `${address.address}:${address.port}`;
    return this.lastAddress;
  }

  get isBlackholed(): boolean {
    return this.state === 'blackholed';
  }

  /** Every connection so far, open or closed, oldest first. */
  links(): ProxyLink[] {
    return this.history.map((link) => ({ ...link }));
  }

  /** Sets the one-way delay of one direction or both; it applies to bytes the link sends from now on. */
  setDelay(delayMs: number, direction: Direction | 'both' = 'both'): void {
    checkDelay(delayMs);
    for (const d of pick(direction)) this.directions[d].setDelay(delayMs);
  }

  /** Sets the rate (bytes/s, 0 = no limit) of one direction or both, at once. */
  setRate(rateBytesPerSecond: number, direction: Direction | 'both' = 'both'): void {
    checkRate(rateBytesPerSecond);
    for (const d of pick(direction)) this.directions[d].setRate(rateBytesPerSecond);
  }

  /** Resets every connection (each end sees ECONNRESET) and refuses new ones the same way until heal(). */
  cut(): void {
    this.state = 'cut';
    for (const connection of [...this.open]) connection.reset();
  }

  /**
   * A half-open path: nothing crosses in either direction, on open connections and new ones
   * (accepted, but their server is not even dialled), and nothing is closed: no FIN, no RST.
   * Each connection reads until its buffer is full; heal() lets what was held through, in
   * order, as TCP would retransmit it.
   */
  blackhole(): void {
    if (this.state !== 'up') return;
    this.state = 'blackholed';
    for (const direction of Object.values(this.directions)) direction.hold();
  }

  /** Ends a cut or a blackhole: the link carries bytes and accepts connections again. */
  heal(): void {
    this.state = 'up';
    for (const direction of Object.values(this.directions)) direction.release();
  }

  stats(): WanStats {
    const direction = (d: Direction): DirectionStats => ({
      delayMs: this.directions[d].delayMs,
      rateBytesPerSecond: this.directions[d].rateBytesPerSecond,
      bytes: this.directions[d].deliveredBytes,
      bufferedBytes: [...this.open].reduce((sum, connection) => sum + connection.bufferedBytes(d), 0),
      peakBufferedBytes: this.peak[d],
    });
    return {
      listen: this.address,
      to: `${this.options.target.host}:${this.options.target.port}`,
      state: this.state,
      bufferBytes: this.bufferBytes,
      up: direction('up'),
      down: direction('down'),
      connections: { accepted: this.counts.accepted, open: this.open.size, refused: this.counts.refused },
    };
  }

  /** Closes the listener and destroys every connection. */
  async close(): Promise<void> {
    for (const connection of [...this.open]) connection.destroy();
    for (const direction of Object.values(this.directions)) direction.stop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.state === 'cut') {
      this.counts.refused += 1;
      client.resetAndDestroy();
      return;
    }
    this.counts.accepted += 1;
    const connection = new WanConnection(this.nextId++, client, this.host, this.bufferBytes);
    this.history.push(connection.link);
    this.open.add(connection);
    const watch = this.options.onClientData;
    if (watch !== undefined) client.prependListener('data', (chunk: Buffer) => watch(chunk, connection.link));
    // The SYN crosses the link first: the server is dialled a one-way delay later, never while blackholed.
    this.directions.up.push(connection, 'open');
  }
}

function pick(direction: Direction | 'both'): Direction[] {
  return direction === 'both' ? ['up', 'down'] : [direction];
}

function checkDelay(delayMs: number): number {
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delay must be a number of ms >= 0, got ${delayMs}`);
  return delayMs;
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`rate must be bytes/s >= 0 (0: no limit), got ${rate}`);
  return rate;
}
