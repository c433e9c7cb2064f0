import { describe, expect, it } from 'vitest';
import { BI_SIDES, biChannelSpec } from '../../../chaos/bidirectional.ts';
import { unionOutcomes } from '../../../chaos/bi-check.ts';
import { WRITER_SLOTS, accountFor, sequenceNumber, writerSlots } from '../../../chaos/load.ts';
import { ACCOUNTS } from '../../../chaos/load-schema.ts';

/** The writer slots of the main load (3 writers from slot 0), as chaos/run.ts starts it. */
const MAIN_SLOTS = writerSlots({ writers: 3 });

describe('chaos load options', () => {
  it('gives a load its slots from the offset, and refuses slots past the last', () => {
    expect(writerSlots({ writers: 3 })).toEqual([0, 1, 2]);
    expect(writerSlots({ writers: 2, writerOffset: 4 })).toEqual([4, 5]);
    expect(() => writerSlots({ writers: 2, writerOffset: WRITER_SLOTS - 1 })).toThrow(RangeError);
    expect(() => writerSlots({ writers: 1, writerOffset: -1 })).toThrow(RangeError);
  });

  it('numbers transactions so that two slots never share a sequence number', () => {
    const seqs = (slot: number) => Array.from({ length: 1000 }, (_, n) => sequenceNumber(slot, n + 1));
    const a = new Set(seqs(4));
    expect(seqs(5).filter((s) => a.has(s))).toEqual([]);
    expect(sequenceNumber(0, 1)).toBe(WRITER_SLOTS);
  });

  it('draws accounts only inside the range, the whole range reachable', () => {
    const range = { first: 26, count: 25 };
    const drawn = new Set(Array.from({ length: 1000 }, (_, i) => accountFor(range, i / 1000)));
    expect(Math.min(...drawn)).toBe(26);
    expect(Math.max(...drawn)).toBe(50);
    expect(drawn.size).toBe(25);
    // The default range draws what the load drew before it had options: seeds replay.
    expect(accountFor({ first: 1, count: ACCOUNTS }, 0.5)).toBe(1 + Math.floor(0.5 * ACCOUNTS));
  });
});

describe('the bidirectional channel\'s sides', () => {
  it('partition the accounts: none updated from both sides, every one from one', () => {
    const [a, b] = BI_SIDES.map((s) => Array.from({ length: s.accounts.count }, (_, i) => s.accounts.first + i));
    expect(a!.filter((id) => b!.includes(id))).toEqual([]);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(Array.from({ length: ACCOUNTS }, (_, i) => i + 1));
  });

  it('write in slots of their own, apart from each other and from the main load', () => {
    const slots = BI_SIDES.flatMap((s) => writerSlots({ writers: 1, writerOffset: s.writerOffset }));
    expect(new Set([...slots, ...MAIN_SLOTS]).size).toBe(slots.length + MAIN_SLOTS.length);
  });

  it('keep their auto_increment progressions apart and their probe rows distinct', () => {
    expect(new Set(BI_SIDES.map((s) => s.autoIncrementOffset)).size).toBe(2);
    expect(new Set(BI_SIDES.map((s) => s.probeId)).size).toBe(2);
  });

  it('make a channel of two mirrored pipelines over one system schema, the peer primary', () => {
    const spec = biChannelSpec() as { pipelines: { name: string; source: string; target: string; systemSchema: string }[]; bidirectional: { primary: string } };
    const [ab, ba] = spec.pipelines;
    expect(ab!.source).toBe(ba!.target);
    expect(ab!.target).toBe(ba!.source);
    expect(ab!.systemSchema).toBe(ba!.systemSchema);
    expect(spec.bidirectional.primary).toBe(BI_SIDES[0].groupKey);
    expect(spec.pipelines.map((p) => p.name)).toEqual(BI_SIDES.map((s) => s.pipeline));
  });

  it('checks the ledger against both sides\' writers at once', () => {
    const union = unionOutcomes([
      { acked: new Set([20, 36]), inDoubt: new Set([52]), failed: 1 },
      { acked: new Set([21]), inDoubt: new Set(), failed: 2 },
    ]);
    expect([...union.acked].sort()).toEqual([20, 21, 36]);
    expect([...union.inDoubt]).toEqual([52]);
    expect(union.failed).toBe(3);
  });
});
