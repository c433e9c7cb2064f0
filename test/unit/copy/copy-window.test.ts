import { describe, expect, it } from 'vitest';
import { CopyWindow } from '../../../node/copy/copy-window.ts';
import { newCopyState, type CopyState } from '../../../node/copy/copy-state.ts';
import type { SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import type { SourcePosition } from '../../../shared/model/change.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';

const mapping = compileTableMapping([{ source: 'shop.orders', target: 'dw.orders_copy', columns: { rename: { id: 'order_id' } } }], { systemSchema: '_ferry' });
const S0: SourcePosition = { file: 'b.000001', pos: 100, gtidSet: '1-1-50' };
const until: SourcePosition = { file: 'b.000001', pos: 900, gtidSet: '1-1-60' };
const key = [{ name: 'id', typeCode: 3, columnType: 'int(11)', charset: null, unsigned: false }];

function batch(seq: number, end: SourcePosition, copy?: SelectedBatch['copy']): SelectedBatch {
  return { seq, transactions: [{ end, timestamp: 0, changes: [] }], end, sourceTimestamp: 0, openedAt: 0, bytes: 0, ...(copy ? { copy } : {}) };
}

describe('the load side of an online copy', () => {
  it('treats chunks as replacing copy batches whose key range, renamed, is cleared; the closing batch waits for them; the stream replaces until the window ends', () => {
    const window = new CopyWindow(mapping);
    window.resumeWith(newCopyState('initial', 0, 0, 1));
    const state: CopyState = { ...newCopyState('initial', 1, 10, 1), table: { schema: 'shop', table: 'orders' }, after: [10], rows: 10 };
    const chunk = window.treat(batch(1, S0, { state, clear: { table: { schema: 'shop', table: 'orders' }, key, after: [0], upTo: [10] } }));
    expect(chunk).toEqual({ copy: { state: JSON.stringify(state), replace: true, clear: { schema: 'dw', table: 'orders_copy', key: ['order_id'], after: { order_id: 0 }, upTo: { order_id: 10 } } }, closes: false });
    const closing = window.treat(batch(2, S0, { state: { ...state, until } }));
    expect(closing?.closes).toBe(true);
    expect(closing?.copy.clear).toBeUndefined();
    // Streamed batches before the window's end replace and carry the state; the one reaching it ends the copy.
    expect(window.treat(batch(3, { file: 'b.000001', pos: 500, gtidSet: '1-1-55' }))?.copy).toEqual({ state: JSON.stringify({ ...state, until }), replace: true });
    expect(window.treat(batch(4, { file: 'b.000001', pos: 950, gtidSet: '1-1-61' }))?.copy).toEqual({ state: null, replace: true });
    expect(window.treat(batch(5, { file: 'b.000001', pos: 990, gtidSet: '1-1-62' }))).toBeUndefined();
    expect(window.current).toBeUndefined();
  });

  it('a copy that had nothing to replay ends with its closing batch; outside any copy nothing changes', () => {
    const window = new CopyWindow(mapping);
    window.resumeWith(undefined);
    expect(window.treat(batch(1, S0))).toBeUndefined();
    window.resumeWith(newCopyState('resync', 0, 0, 1));
    expect(window.treat(batch(2, S0, { state: null }))).toEqual({ copy: { state: null, replace: true }, closes: true });
    expect(window.treat(batch(3, until))).toBeUndefined();
  });
});
