import { describe, expect, it } from 'vitest';
import { conflict, waitsForCommit, type Footprint } from '../../../node/load/write-set.ts';

const sql = (tables: string[], keys: Record<string, string[]>): Footprint => ({
  writeSet: new Map(Object.entries(keys).map(([id, values]) => [id, new Set(values)])), tables: new Set(tables), replayed: false,
});
const replayed = (tables: string[]): Footprint => ({ writeSet: new Map(), tables: new Set(tables), replayed: true });

describe('conflict: replayed batches order by table', () => {
  it('keeps a replayed batch from running beside any batch of one of its tables, whatever the keys', () => {
    expect(conflict(replayed(['s.a']), sql(['s.a'], { 's.a\u00000': ['1'] }))).toBe(true);
    expect(conflict(sql(['s.b', 's.a'], { 's.a\u00000': ['7'] }), replayed(['s.a']))).toBe(true);
    expect(conflict(replayed(['s.a', 's.b']), replayed(['s.b']))).toBe(true);
  });

  it('lets batches of other tables run beside it, and SQL batches still order by key', () => {
    expect(conflict(replayed(['s.a']), sql(['s.b'], { 's.b\u00000': ['1'] }))).toBe(false);
    expect(conflict(replayed(['s.a']), replayed(['s.b']))).toBe(false);
    expect(conflict(sql(['s.a'], { 's.a\u00000': ['1'] }), sql(['s.a'], { 's.a\u00000': ['2'] }))).toBe(false);
    expect(conflict(sql(['s.a'], { 's.a\u00000': ['1'] }), sql(['s.a'], { 's.a\u00000': ['1', '3'] }))).toBe(true);
  });
});

describe('waitsForCommit: a batch of a replayed batch\'s tables starts once that one applied', () => {
  const inFlight = (footprint: Footprint, applied: boolean) => ({ ...footprint, applied });

  it('holds a batch of the same table back while the replayed batch still applies, not once it waits for its commit turn', () => {
    expect(waitsForCommit(inFlight(replayed(['s.a']), false), replayed(['s.a']))).toBe(true);
    expect(waitsForCommit(inFlight(replayed(['s.a']), true), replayed(['s.a']))).toBe(false);
    expect(waitsForCommit(inFlight(replayed(['s.a']), true), sql(['s.a'], { 's.a\u00000': ['1'] }))).toBe(false);
    expect(waitsForCommit(inFlight(sql(['s.a'], { 's.a\u00000': ['1'] }), true), replayed(['s.a']))).toBe(false);
  });

  it('still makes batches that share a row key wait for the commit, applied or not', () => {
    const earlier = sql(['s.a'], { 's.a\u00000': ['1'] });
    const later = sql(['s.a'], { 's.a\u00000': ['1', '2'] });
    expect(waitsForCommit(inFlight(earlier, false), later)).toBe(true);
    expect(waitsForCommit(inFlight(earlier, true), later)).toBe(true);
    expect(waitsForCommit(inFlight(replayed(['s.b']), false), replayed(['s.a']))).toBe(false);
  });
});
