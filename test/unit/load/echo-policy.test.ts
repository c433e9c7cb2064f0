import { describe, expect, it } from 'vitest';
import { echoVerdict, judge, type KeyState, type PolicySide } from '../../../node/load/conflict-policy.ts';

/**
 * One key on two masters under primary-wins (A the primary), both directions replayed
 * transaction by transaction at the policy level: A -> B judges A's own changes and applies
 * A's copies of B's changes as echoes (echoVerdict); B -> A judges B's own changes and drops
 * what A -> B wrote on B. A version is a string, absence null; every write makes a new one.
 */
type Value = string | null;
interface Logged {
  before: Value;
  after: Value;
  /** The pipeline that wrote it on this master; undefined: the application. */
  by?: 'a-to-b' | 'b-to-a';
  /** What B -> A wrote on A: the index of B's change in B's binlog. */
  origin?: number;
}
interface Master {
  value: Value;
  binlog: Logged[];
  /** Next binlog entry its outgoing direction reads. */
  read: number;
}

const primary: PolicySide = { policy: 'primary-wins', primary: true };
const secondary: PolicySide = { policy: 'primary-wins', primary: false };

function stateOf(target: Value, change: Logged): KeyState {
  return { present: target !== null, matchesExpected: target === change.before, equalsFinal: target === change.after, uniqueClash: false };
}

class Channel {
  readonly A: Master = { value: null, binlog: [], read: 0 };
  readonly B: Master = { value: null, binlog: [], read: 0 };
  private written = 0;
  /** What A -> B last wrote (or found already written) on B. */
  readonly writtenByAtoB = new Map<string, Value>();
  /** An echo was applied on B although B's application had written the key after the echoed change. */
  stale = false;

  constructor(initial: Value = null, private readonly echoes = true) {
    this.A.value = initial;
    this.B.value = initial;
  }

  /** The application on `side`: insert when the key is free, else update or delete. */
  write(side: 'A' | 'B', kind: 'insert' | 'update' | 'delete', value?: string): void {
    const master = this[side];
    const after = kind === 'delete' ? null : (value ?? `${side}${++this.written}`);
    master.binlog.push({ before: master.value, after });
    master.value = after;
  }

  /** The next transaction of `direction`, if one waits; false when none did. */
  deliver(direction: 'a-to-b' | 'b-to-a'): boolean {
    const source = direction === 'a-to-b' ? this.A : this.B;
    const target = direction === 'a-to-b' ? this.B : this.A;
    const change = source.binlog[source.read];
    if (change === undefined) return false;
    source.read++;
    if (change.by !== undefined && change.by !== direction) {
      // The mirror's write: B -> A drops it; A -> B forwards it as an echo (or drops it without echoes).
      if (direction === 'b-to-a' || !this.echoes) return true;
      // Load's memory of its own writes (EchoGuard): B holds that image because A -> B wrote it there.
      if (echoVerdict(stateOf(target.value, change)) === 'apply' && this.writtenByAtoB.get('k') === target.value) {
        // B's application wrote the key after the change echoed: B is back at its image by an ABA of its own.
        if (this.B.binlog.slice(change.origin! + 1).some((later) => later.by === undefined)) this.stale = true;
        this.apply(target, change, direction);
        this.writtenByAtoB.set('k', change.after);
      }
      return true;
    }
    const state = stateOf(target.value, change);
    if (direction === 'a-to-b' && (state.equalsFinal || judge(state, change.before !== null, primary)?.decision !== 'skipped')) this.writtenByAtoB.set('k', change.after);
    if (state.equalsFinal) return true;
    const verdict = judge(state, change.before !== null, direction === 'a-to-b' ? primary : secondary);
    if (verdict === null || verdict.decision === 'applied') this.apply(target, change, direction, direction === 'b-to-a' ? source.read - 1 : undefined);
    return true;
  }

  drain(): void {
    while (this.deliver('a-to-b') || this.deliver('b-to-a'));
  }

  private apply(target: Master, change: Logged, by: 'a-to-b' | 'b-to-a', origin?: number): void {
    target.binlog.push({ before: target.value, after: change.after, by, ...(origin === undefined ? {} : { origin }) });
    target.value = change.after;
  }
}

describe('echoes: primary-wins converges whatever the interleaving', () => {
  it('echoVerdict: the expected image applies, the final image needs nothing, anything else or a unique clash is skipped', () => {
    const base: KeyState = { present: true, matchesExpected: false, equalsFinal: false, uniqueClash: false };
    expect(echoVerdict({ ...base, matchesExpected: true })).toBe('apply');
    expect(echoVerdict({ ...base, present: false, matchesExpected: true })).toBe('apply');
    expect(echoVerdict({ ...base, equalsFinal: true })).toBe('none');
    expect(echoVerdict(base)).toBe('skip');
    expect(echoVerdict({ ...base, present: false })).toBe('skip');
    expect(echoVerdict({ ...base, matchesExpected: true, uniqueClash: true })).toBe('skip');
  });

  for (const echoes of [true, false]) {
    it(`a delete on the primary, then the other side's insert reaching it (docs/bidirectional.md, 3): ${echoes ? 'both end with B\'s row' : 'without echoes the masters diverge'}`, () => {
      const channel = new Channel(null, echoes);
      channel.write('B', 'insert', 'b');
      channel.write('A', 'insert', 'a');
      channel.write('A', 'delete');
      channel.deliver('b-to-a'); // A holds no row, as B's insert expects: A takes b.
      channel.drain();
      if (echoes) expect([channel.A.value, channel.B.value]).toEqual(['b', 'b']);
      else expect([channel.A.value, channel.B.value]).toEqual(['b', null]);
    });

    it(`an update the primary made and undid (ABA): ${echoes ? 'both end with B\'s version' : 'without echoes the masters diverge'}`, () => {
      const channel = new Channel('v0', echoes);
      channel.write('B', 'update', 'b');
      channel.write('A', 'update', 'a');
      channel.write('A', 'update', 'v0');
      channel.deliver('b-to-a'); // A is back at v0, as B's update expects: A takes b.
      channel.drain();
      if (echoes) expect([channel.A.value, channel.B.value]).toEqual(['b', 'b']);
      else expect([channel.A.value, channel.B.value]).toEqual(['b', 'v0']);
    });
  }

  it('an echo that finds the target moved on is skipped, and the later change settles it on the primary', () => {
    const channel = new Channel('v0');
    channel.write('B', 'update', 'b1');
    channel.deliver('b-to-a');
    channel.write('B', 'update', 'b2');
    channel.deliver('a-to-b'); // The echo of b1: B holds b2, neither expected nor final.
    expect(channel.B.value).toBe('b2');
    channel.drain();
    expect([channel.A.value, channel.B.value]).toEqual(['b2', 'b2']);
  });

  it("an echo never brings back a row B's own application had deleted: only where A -> B wrote what B holds", () => {
    const channel = new Channel(null);
    channel.write('B', 'insert', 'b1');
    channel.write('B', 'update', 'b2');
    channel.write('B', 'delete');
    while (channel.deliver('b-to-a'));
    channel.deliver('a-to-b'); // The echo of b1's insert: B holds no row, as it expects, but not by A -> B's write.
    expect(channel.B.value).toBeNull();
    channel.write('B', 'insert', 'b3');
    channel.drain();
    expect(channel.stale).toBe(false);
    expect([channel.A.value, channel.B.value]).toEqual(['b3', 'b3']);
  });

  it('B writing alone, whatever the deliveries, ends identical and no echo writes on B', () => {
    let seed = 777;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 2000; round++) {
      const channel = new Channel(null);
      for (let step = 0; step < 12; step++) {
        const pick = random();
        if (pick < 0.5) channel.write('B', channel.B.value === null ? 'insert' : random() < 0.5 ? 'update' : 'delete');
        else channel.deliver(pick < 0.75 ? 'a-to-b' : 'b-to-a');
      }
      channel.drain();
      expect(channel.B.binlog.every((entry) => entry.by === undefined), `round ${round}`).toBe(true);
      expect(channel.A.value, `round ${round}`).toBe(channel.B.value);
    }
  });

  it("left open: B writes a key after A's changes reached it while A, back at B's expected image, took B's older version", () => {
    const channel = new Channel(null);
    channel.write('B', 'insert', 'b1');
    channel.write('A', 'insert', 'a');
    channel.write('A', 'delete');
    while (channel.deliver('a-to-b')); // B takes a (exists, the primary's), then A's delete.
    channel.write('B', 'insert', 'b2'); // On B's empty key.
    channel.drain(); // A takes b1 (no row, as expected), then b2 meets it: a conflict B -> A skips; the echo of b1 finds B moved on.
    expect(channel.stale).toBe(false);
    expect([channel.A.value, channel.B.value]).toEqual(['b1', 'b2']);
  });

  it('random interleavings of inserts, updates and deletes on both sides and deliveries in both directions: echoes leave a small fraction of the divergences', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const diverged = { echoes: 0, without: 0 };
    for (let round = 0; round < 3000; round++) {
      const start = seed;
      for (const echoes of [true, false]) {
        seed = start;
        const channel = new Channel(random() < 0.5 ? null : 'v0', echoes);
        const steps = 2 + Math.floor(random() * 10);
        for (let step = 0; step < steps; step++) {
          const pick = random();
          if (pick < 0.5) {
            const side = pick < 0.25 ? 'A' : 'B';
            const present = channel[side].value !== null;
            channel.write(side, !present ? 'insert' : random() < 0.6 ? 'update' : 'delete');
          } else channel.deliver(pick < 0.75 ? 'a-to-b' : 'b-to-a');
        }
        channel.drain();
        if (channel.A.value !== channel.B.value) diverged[echoes ? 'echoes' : 'without']++;
      }
    }
    // The figures docs/bidirectional.md quotes (3,000 schedules of up to 11 steps).
    expect(diverged).toEqual({ echoes: 2, without: 175 });
  });
});
