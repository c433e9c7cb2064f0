import { describe, expect, it } from 'vitest';
import { keyText, type KeyRange, type KeyValues, type TableSide } from '../../../node/verify/row-sql.ts';
import { TableVerifier } from '../../../node/verify/table-verifier.ts';
import type { TablePair } from '../../../node/verify/table-pair.ts';
import type { ChunkSum, RowHash, SourceVerifySide, VerifySide } from '../../../node/verify/verify-side.ts';

/** A table as a sorted map of key -> hash, served as a verify side computes it. */
class FakeSide implements SourceVerifySide {
  constructor(public rows: Map<number, string>, private readonly onRead: () => void = () => undefined, public at = 0) {}
  private inRange(range: KeyRange): number[] {
    return [...this.rows.keys()].sort((a, b) => a - b).filter((k) => (range.after === undefined || k > Number(range.after[0])) && (range.upTo === undefined || k <= Number(range.upTo[0])));
  }
  checksum(_table: TableSide, range: KeyRange): Promise<ChunkSum> {
    const keys = this.inRange(range);
    return Promise.resolve({ n: keys.length, x: keys.map((k) => `${k}=${this.rows.get(k)}`).join(',') });
  }
  keyAt(_table: TableSide, range: KeyRange, offset: number): Promise<KeyValues | undefined> {
    const key = this.inRange(range)[offset];
    return Promise.resolve(key === undefined ? undefined : [key]);
  }
  rowHashes(_table: TableSide, range: KeyRange): Promise<RowHash[]> {
    this.onRead();
    return Promise.resolve(this.inRange(range).map((k) => ({ key: [k], hash: this.rows.get(k)! })));
  }
  tables(): Promise<never[]> {
    return Promise.resolve([]);
  }
  position(): Promise<string> {
    return Promise.resolve(`0-1-${this.at}`);
  }
}

const pair: TablePair = { source: { schema: 's', table: 't' }, target: { schema: 's', table: 't' }, key: { source: ['id'], target: ['id'] }, columns: { source: ['id', 'v'], target: ['id', 'v'] } };
const table = (n: number) => new Map(Array.from({ length: n }, (_, i) => [i, `h${i}`]));

describe('TableVerifier on a table a running pipeline writes', () => {
  it('does not report a row in flight: it differs until the target has caught up, then never again', async () => {
    const source = new FakeSide(table(200));
    source.rows.set(57, 'new');
    const target: VerifySide = new FakeSide(table(200));
    const waited: string[] = [];
    const found = await new TableVerifier(pair, { source, target }, {
      chunkRows: 50, leafRows: 8,
      recheck: {
        caughtUp: (position) => {
          waited.push(position);
          // The pipeline applies the change once asked to catch up.
          (target as FakeSide).rows.set(57, 'new');
          return Promise.resolve();
        },
      },
    }).run();
    expect({ missing: found.missing, extra: found.extra, different: found.different }).toEqual({ missing: [], extra: [], different: [] });
    expect(waited.length).toBe(1);
  });

  it('reports rows that differ every time (damage on the target), each kind with its key', async () => {
    const source = new FakeSide(table(200));
    const target = new FakeSide(table(200));
    target.rows.delete(3);
    target.rows.set(120, 'changed');
    target.rows.set(500, 'extra');
    let waits = 0;
    const found = await new TableVerifier(pair, { source, target }, { chunkRows: 50, leafRows: 8, recheck: { attempts: 2, caughtUp: () => Promise.resolve(void (waits += 1)) } }).run();
    expect(found.missing).toEqual([[3]]);
    expect(found.different).toEqual([[120]]);
    expect(found.extra).toEqual([[500]]);
    expect(found.rows).toBe(200);
    // Each differing leaf is read again `attempts` times.
    expect(waits).toBe(3 * 2);
  });

  it('without re-checks reports what differed once (bin/ferry verify of a quiet table)', async () => {
    const source = new FakeSide(table(100));
    source.rows.set(10, 'new');
    const target = new FakeSide(table(100));
    const found = await new TableVerifier(pair, { source, target }, { chunkRows: 50, leafRows: 8 }).run();
    expect(found.different.map((key) => keyText(key))).toEqual([keyText([10])]);
  });
});
