/**
 * Bytes per second over the last few seconds, from a running total: one slot per second,
 * so a reading costs nothing however many chunks passed.
 */
export class RateMeter {
  private readonly slots = new Map<number, number>();

  constructor(private readonly windowSeconds = 5, private readonly now: () => number = Date.now) {}

  add(bytes: number): void {
    const second = Math.floor(this.now() / 1000);
    this.slots.set(second, (this.slots.get(second) ?? 0) + bytes);
    if (this.slots.size > this.windowSeconds + 2) this.forget(second);
  }

  /** Average over the last `windowSeconds` whole seconds (the current, partial one left out). */
  perSecond(): number {
    const current = Math.floor(this.now() / 1000);
    this.forget(current);
    let total = 0;
    for (let second = current - this.windowSeconds; second < current; second++) total += this.slots.get(second) ?? 0;
    return Math.round(total / this.windowSeconds);
  }

  private forget(current: number): void {
    for (const second of this.slots.keys()) if (second < current - this.windowSeconds) this.slots.delete(second);
  }
}
