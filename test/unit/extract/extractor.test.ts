import { describe, expect, it } from 'vitest';
import { Extractor } from '../../../node/extract/extractor.ts';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';

const columns: ColumnInfo[] = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];
const replay = { format: Buffer.from('format'), events: [Buffer.from('map'), Buffer.from('rows')] };

function transaction(tables: string[]): SourceTransaction {
  return {
    end: { file: 'bin.000001', pos: 100 },
    timestamp: 1,
    changes: tables.map((table, i) => ({ schema: 'shop', table, kind: 'insert' as const, columns, after: { id: i } })),
    bytes: 40,
    replay,
  };
}

describe('Extractor.transaction', () => {
  const mapping = compileTableMapping(['shop.orders', 'shop.items']);

  it("keeps the source's events when every change passes unchanged", () => {
    const extracted = new Extractor(mapping).transaction(transaction(['orders', 'items']));
    expect(extracted.replay).toBe(replay);
    expect(extracted.changes).toHaveLength(2);
  });

  it('drops them when the pipeline has a hook, even one that changes nothing: a hook may change or drop rows', () => {
    const source = transaction(['orders']);
    const extracted = new Extractor(mapping, (change) => change).transaction(source);
    expect(extracted.replay).toBeUndefined();
    expect(extracted.changes).toEqual(source.changes);
    // The transaction the reader made is left as it was.
    expect(source.replay).toBe(replay);
  });

  it('drops them when a change is left out: the events would bring it back', () => {
    const extracted = new Extractor(mapping).transaction(transaction(['orders', 'audit']));
    expect(extracted.replay).toBeUndefined();
    expect(extracted.changes.map((change) => change.table)).toEqual(['orders']);
  });
});
