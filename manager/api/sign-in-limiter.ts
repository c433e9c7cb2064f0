/**
 * Failed sign-ins (a missing or unknown bearer token) per client address, so that guessing
 * tokens costs time and cannot flood ZooKeeper with lookups: after `failures` failures within
 * `windowMs`, the address is refused until the window ends, before any token lookup. Memory
 * is bounded: past `maxAddresses` tracked addresses the oldest entries are dropped (an
 * attacker with that many addresses gains little over one who waits).
 *
 * A refused address still gets through with a token this manager accepted before (its hash,
 * kept in a bounded set), so a node or an operator behind the same NAT as a guesser keeps
 * working: only unproven tokens are refused.
 */

export interface SignInLimits {
  /** Failures within the window that block an address. */
  failures: number;
  windowMs: number;
  /** Addresses tracked at most; also the number of accepted token hashes remembered. */
  maxAddresses: number;
}

export const SIGN_IN_LIMITS: SignInLimits = { failures: 20, windowMs: 60_000, maxAddresses: 10_000 };

interface Window {
  since: number;
  count: number;
}

export class SignInLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly accepted = new Set<string>();

  constructor(private readonly limits: SignInLimits = SIGN_IN_LIMITS, private readonly now: () => number = Date.now) {}

  /** Whole seconds until `address` may try an unproven token again; 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const window = this.windows.get(address);
    if (window === undefined) return 0;
    const left = window.since + this.limits.windowMs - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return window.count >= this.limits.failures ? Math.ceil(left / 1000) : 0;
  }

  failed(address: string): void {
    let window = this.windows.get(address);
    if (window === undefined || window.since + this.limits.windowMs <= this.now()) {
      window = { since: this.now(), count: 0 };
      // Re-inserted so that Map order stays oldest window first, the eviction order.
      this.windows.delete(address);
      this.windows.set(address, window);
    }
    window.count++;
    evictOldest(this.windows, this.limits.maxAddresses);
  }

  /** Remembers a token (by its hash) that authenticated. */
  acceptedToken(hash: string): void {
    this.accepted.delete(hash);
    this.accepted.add(hash);
    evictOldest(this.accepted, this.limits.maxAddresses);
  }

  wasAccepted(hash: string): boolean {
    return this.accepted.has(hash);
  }

  /** Addresses tracked now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.windows.size;
  }
}

function evictOldest(entries: Map<string, unknown> | Set<string>, max: number): void {
  for (const key of entries.keys()) {
    if (entries.size <= max) return;
    entries.delete(key);
  }
}
