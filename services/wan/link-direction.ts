/** What crosses the link: a connection opening (the SYN), bytes, an end (FIN) or a reset (RST). */
export type LinkItemKind = 'open' | 'data' | 'end' | 'reset';

export interface LinkItem<C> {
  readonly connection: C;
  readonly kind: LinkItemKind;
  readonly data?: Buffer;
  /** When it entered the link (performance.now()). */
  readonly arrivedAt: number;
  /** When the link has finished sending it: only from then on does it travel. */
  finishAt?: number;
  /** When it reaches the far end. */
  deliverAt?: number;
}

/** The link's speed and latency in one direction. */
export interface DirectionSettings {
  /** One-way delay in ms: no byte arrives sooner than this after it entered the link. */
  delayMs: number;
  /** Bytes per second; 0 is no limit. */
  rateBytesPerSecond: number;
}

/** Packets of at most this size cross a rate-limited link: delivery is as smooth as that, not one 64 KiB read at a time. */
const PACKET_BYTES = 16 * 1024;

/**
 * One direction of a WAN link, as a router queue in front of a wire: items wait in order for
 * the link (sent back to back at the rate, so N bytes take N/rate however they are split),
 * then travel for the delay and arrive in the order they entered. The delay is a latency, not
 * a cost per chunk: bytes in flight overlap. Memory is the callers' to bound: they stop reading
 * what they would enqueue (the link keeps no limit of its own).
 *
 * Runtime changes: a new rate applies at once, to the rest of the packet being sent too; a new
 * delay applies to what finishes sending from then on (what is on the wire keeps its arrival
 * time, and nothing overtakes what entered before it).
 */
export class LinkDirection<C> {
  /** Waiting for the link, in order; the head may be being sent. */
  private waiting: Array<LinkItem<C>> = [];
  private waitingHead = 0;
  /** Sent, travelling; deliverAt never decreases along it. */
  private wire: Array<LinkItem<C>> = [];
  private wireHead = 0;
  /** When the link finished sending the last item (the next one starts no sooner). */
  private busyUntil = 0;
  private lastDeliverAt = 0;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private pumping = false;
  /** Bytes delivered at the far end so far. */
  deliveredBytes = 0;

  constructor(private settings: DirectionSettings, private readonly deliver: (item: LinkItem<C>) => void) {}

  get delayMs(): number {
    return this.settings.delayMs;
  }

  get rateBytesPerSecond(): number {
    return this.settings.rateBytesPerSecond;
  }

  /** Enters `kind` (with `data`) into the link now. */
  push(connection: C, kind: LinkItemKind, data?: Buffer): void {
    const arrivedAt = performance.now();
    if (kind === 'data' && data !== undefined && this.settings.rateBytesPerSecond > 0 && data.length > PACKET_BYTES) {
      for (let offset = 0; offset < data.length; offset += PACKET_BYTES) this.waiting.push({ connection, kind, data: data.subarray(offset, offset + PACKET_BYTES), arrivedAt });
    } else {
      this.waiting.push({ connection, kind, ...(data === undefined ? {} : { data }), arrivedAt });
    }
    this.pump();
  }

  /** Sets the rate (bytes/s, 0 = no limit); the packet being sent finishes its remaining bytes at the new rate. */
  setRate(rateBytesPerSecond: number): void {
    const now = performance.now();
    const head = this.waiting[this.waitingHead];
    const old = this.settings.rateBytesPerSecond;
    if (head?.finishAt !== undefined && head.finishAt > now && !this.held) {
      head.finishAt = rateBytesPerSecond === 0 ? now : now + ((head.finishAt - now) * old) / rateBytesPerSecond;
      this.busyUntil = head.finishAt;
    }
    this.settings = { ...this.settings, rateBytesPerSecond };
    this.pump();
  }

  setDelay(delayMs: number): void {
    this.settings = { ...this.settings, delayMs };
    this.pump();
  }

  /** Nothing is sent or delivered until release(): a blackhole (what was in flight is held, as TCP would send it again). */
  hold(): void {
    this.held = true;
    this.clearTimer();
  }

  /** Sends and delivers again: what waited goes first, at the rate, from now. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const now = performance.now();
    this.busyUntil = now;
    const head = this.waiting[this.waitingHead];
    if (head !== undefined) delete head.finishAt;
    this.pump();
  }

  /** Removes every item of the connections `drop` names (closed or cut), without delivering them. */
  discard(drop: (connection: C) => boolean): void {
    const head = this.waiting[this.waitingHead];
    // The link spent the time on a packet it was sending: the next one starts no sooner than now.
    if (head?.finishAt !== undefined && drop(head.connection)) this.busyUntil = Math.max(this.busyUntil, performance.now());
    // Assigned, not spread into the old arrays: a queue of small reads can hold a great many items.
    this.waiting = this.waiting.slice(this.waitingHead).filter((item) => !drop(item.connection));
    this.waitingHead = 0;
    this.wire = this.wire.slice(this.wireHead).filter((item) => !drop(item.connection));
    this.wireHead = 0;
    this.clearTimer();
    this.pump();
  }

  /** Moves what the link has sent onto the wire and delivers what has arrived; arms one timer for what is next. */
  private pump(): void {
    // A delivery can push into this direction (a reset answering an end): the outer loop sees it.
    if (this.pumping || this.held) return;
    this.pumping = true;
    try {
      for (;;) {
        const now = performance.now();
        const sent = this.send(now);
        const delivered = this.arrive(now);
        if (!sent && !delivered) break;
        if (this.held) return;
      }
      this.compact();
      this.rearm();
    } finally {
      this.pumping = false;
    }
  }

  /** Sends every waiting item whose turn on the link has ended by `now`; true if any moved. */
  private send(now: number): boolean {
    let moved = false;
    const rate = this.settings.rateBytesPerSecond;
    for (let head = this.waiting[this.waitingHead]; head !== undefined; head = this.waiting[this.waitingHead]) {
      if (head.finishAt === undefined) {
        const bytes = head.data?.length ?? 0;
        const start = Math.max(head.arrivedAt, this.busyUntil);
        head.finishAt = rate === 0 || bytes === 0 ? start : start + (bytes * 1000) / rate;
      }
      if (head.finishAt > now) break;
      this.busyUntil = head.finishAt;
      // Never before an item that entered earlier, whatever the delay was then.
      head.deliverAt = Math.max(head.finishAt + this.settings.delayMs, this.lastDeliverAt);
      this.lastDeliverAt = head.deliverAt;
      this.wire.push(head);
      this.waitingHead += 1;
      moved = true;
    }
    return moved;
  }

  /** Delivers what has arrived by `now`, in order; true if anything was. */
  private arrive(now: number): boolean {
    let moved = false;
    for (let head = this.wire[this.wireHead]; head !== undefined && head.deliverAt! <= now; head = this.wire[this.wireHead]) {
      this.wireHead += 1;
      if (head.kind === 'data') this.deliveredBytes += head.data!.length;
      this.deliver(head);
      moved = true;
      if (this.held) break;
    }
    return moved;
  }

  private compact(): void {
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    if (this.wireHead > 1024 && this.wireHead * 2 > this.wire.length) {
      this.wire.splice(0, this.wireHead);
      this.wireHead = 0;
    }
  }

  /** One timer, for the earlier of the next send and the next arrival. */
  private rearm(): void {
    if (this.held) return;
    // pump() has timed the head of the waiting items, if any.
    const next = Math.min(this.waiting[this.waitingHead]?.finishAt ?? Infinity, this.wire[this.wireHead]?.deliverAt ?? Infinity);
    if (next === Infinity) {
      this.clearTimer();
      return;
    }
    if (this.timer !== undefined && this.timerAt === next) return;
    this.clearTimer();
    this.timerAt = next;
    // setTimeout counts whole ms and may fire a little early: pump() delivers only what is due and re-arms.
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(next - performance.now())));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.pump();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Stops the timer for good (the proxy is closing). */
  stop(): void {
    this.hold();
    this.waiting.length = 0;
    this.wire.length = 0;
    this.waitingHead = 0;
    this.wireHead = 0;
  }
}
