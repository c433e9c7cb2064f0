import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkDirection, type LinkItem } from '../../../services/wan/link-direction.ts';

// The link's timing model on a fake clock: exact, where the socket tests can only bound it from below.

function link(delayMs: number, rateBytesPerSecond = 0) {
  const delivered: Array<{ at: number; item: LinkItem<string> }> = [];
  const direction = new LinkDirection<string>({ delayMs, rateBytesPerSecond }, (item) => delivered.push({ at: performance.now(), item }));
  return { direction, delivered };
}

describe('LinkDirection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is a latency, not a cost per chunk: 50 chunks entered at once all arrive one delay later', async () => {
    const { direction, delivered } = link(300);
    const start = performance.now();
    for (let i = 0; i < 50; i += 1) direction.push('c', 'data', Buffer.alloc(100, i));
    await vi.advanceTimersByTimeAsync(299);
    expect(delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toHaveLength(50);
    expect(delivered.every(({ at }) => at - start === 300)).toBe(true);
    expect(delivered.map(({ item }) => item.data![0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(direction.deliveredBytes).toBe(5_000);
  });

  it('sends back to back at the rate, in packets, then adds the delay', async () => {
    // 100 kB/s: a 64 KiB read goes out as four 16 KiB packets, 163.84 ms each.
    const { direction, delivered } = link(50, 100_000);
    const start = performance.now();
    direction.push('c', 'data', Buffer.alloc(65_536));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered.map(({ item }) => item.data!.length)).toEqual([16_384, 16_384, 16_384, 16_384]);
    delivered.forEach(({ at }, i) => expect(at - start).toBeGreaterThanOrEqual(((i + 1) * 16_384 * 1000) / 100_000 + 50));
    expect(delivered.at(-1)!.at - start).toBeLessThan(655.36 + 50 + 2);
  });

  it('a lower delay never lets later bytes overtake earlier ones', async () => {
    const { direction, delivered } = link(500);
    direction.push('c', 'data', Buffer.from('first'));
    await vi.advanceTimersByTimeAsync(100);
    direction.setDelay(10);
    direction.push('c', 'data', Buffer.from('second'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered.map(({ item }) => item.data!.toString())).toEqual(['first', 'second']);
    expect(delivered[1]!.at).toBe(delivered[0]!.at);
  });

  it('a new rate applies to the packet being sent', async () => {
    // 16 KiB at 1 kB/s would take 16 s; after 1 s the rate goes up 1000-fold.
    const { direction, delivered } = link(0, 1_000);
    const start = performance.now();
    direction.push('c', 'data', Buffer.alloc(16_384));
    await vi.advanceTimersByTimeAsync(1_000);
    direction.setRate(1_000_000);
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered).toHaveLength(1);
    // 1,000 bytes went at the old rate, 15,384 at the new one.
    expect(delivered[0]!.at - start).toBeGreaterThanOrEqual(1_000 + 15.384);
  });

  it('holds everything while held, and delivers it in order on release', async () => {
    const { direction, delivered } = link(20);
    direction.push('c', 'data', Buffer.from('a'));
    direction.hold();
    direction.push('c', 'end');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(delivered).toHaveLength(0);
    direction.release();
    await vi.advanceTimersByTimeAsync(100);
    expect(delivered.map(({ item }) => item.kind)).toEqual(['data', 'end']);
  });

  it('discards the items of a connection without touching the others', async () => {
    const { direction, delivered } = link(20, 10_000);
    direction.push('a', 'data', Buffer.alloc(1_000));
    direction.push('b', 'data', Buffer.alloc(1_000));
    direction.push('a', 'end');
    direction.discard((connection) => connection === 'a');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(delivered.map(({ item }) => item.connection)).toEqual(['b']);
  });
});
