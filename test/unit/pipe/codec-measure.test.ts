import { describe, expect, it } from 'vitest';
import { groupBatches, keysAndChangedColumns, keysOnlyBefore, measureBatchSize } from '../../../bench/pipe-codec-measure.ts';
import { sbtestTransaction, seeded } from './wire-samples.ts';

// The pipe compression benchmark's arithmetic (bench/pipe-codecs.ts runs it on a real binlog).
describe('pipe codec benchmark figures', () => {
  const random = seeded(11);
  const transactions = Array.from({ length: 60 }, (_, i) => sbtestTransaction(random, i));

  it('groups whole transactions into batches of at least the given rows', () => {
    const batches = groupBatches(transactions, 10);
    expect(batches.flat()).toEqual(transactions);
    for (const batch of batches.slice(0, -1)) expect(batch.reduce((n, t) => n + t.changes.length, 0)).toBe(12);
  });

  it('reports wire bytes, ratios and CPU per row change for each codec and table scope', () => {
    const { scopes, codecs } = measureBatchSize(transactions, 100, 240 * 100, ['none', 'deflate-1', 'brotli-1']);
    expect(scopes.map((s) => s.tableScope)).toEqual(['batch', 'connection']);
    expect(scopes[1]!.encodedBytesPerRow).toBeLessThanOrEqual(scopes[0]!.encodedBytesPerRow);
    const [none, deflate, brotli] = codecs;
    expect(none).toMatchObject({ codec: 'none', rows: 240, ratioToEncoded: 1 });
    expect(none!.ratioToBinlog).toBeCloseTo(none!.wireBytesPerRow / 100, 6);
    for (const c of [deflate!, brotli!]) {
      expect(c.wireBytesPerRow).toBeLessThan(none!.wireBytesPerRow);
      expect(c.linkRowsPerSecond).toBeCloseTo(2_500_000 / c.wireBytesPerRow, 3);
    }
  });

  it('cuts before images to the key, and updates to the key and the changed columns, for the lossy variants', () => {
    const keyOf = () => ['id'];
    const cut = keysOnlyBefore(transactions, keyOf)[0]!.changes;
    expect(cut.map((c) => (c.before ? Object.keys(c.before) : null))).toEqual([['id'], ['id'], ['id'], null]);
    const changed = keysAndChangedColumns(transactions, keyOf)[0]!.changes;
    expect(Object.keys(changed[0]!.after!)).toEqual(['id', 'k']);
    expect(Object.keys(changed[1]!.after!)).toEqual(['id', 'c']);
    expect(Object.keys(changed[3]!.after!)).toEqual(['id', 'k', 'c', 'pad']);
  });
});
