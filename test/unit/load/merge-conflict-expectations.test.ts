import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../../../shared/model/change.ts';
import { mergeTableChanges } from '../../../node/load/merge.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';

const table: TargetTable = { schema: 's', table: 't', key: ['id'], uniqueKeys: [{ columns: ['id'] }], writable: new Set(['id', 'v']), columns: new Set(['id', 'v']) };
const ins = (id: number, v: string): TargetChange => ({ schema: 's', table: 't', kind: 'insert', after: { id, v } });
const upd = (id: number, from: string, to: string, newId = id): TargetChange => ({ schema: 's', table: 't', kind: 'update', before: { id, v: from }, after: { id: newId, v: to } });
const del = (id: number, v: string): TargetChange => ({ schema: 's', table: 't', kind: 'delete', before: { id, v } });

const expectations = (changes: TargetChange[]) => mergeTableChanges(table, changes, false, true).expectations;

describe('mergeTableChanges with conflict detection', () => {
  it('keeps no expectations when detection is off', () => {
    expect(mergeTableChanges(table, [upd(1, 'a', 'b')]).expectations).toBeUndefined();
  });

  it("expects the first change's before image and ends at the last change's after image", () => {
    expect(expectations([upd(1, 'a', 'b'), upd(1, 'b', 'c')])).toEqual([{ keyRow: { id: 1, v: 'a' }, expected: { id: 1, v: 'a' }, final: { id: 1, v: 'c' } }]);
    expect(expectations([ins(2, 'x'), upd(2, 'x', 'y')])).toEqual([{ keyRow: { id: 2, v: 'x' }, expected: null, final: { id: 2, v: 'y' } }]);
    expect(expectations([upd(3, 'a', 'b'), del(3, 'b')])).toEqual([{ keyRow: { id: 3, v: 'a' }, expected: { id: 3, v: 'a' }, final: null }]);
    // Inserted and deleted in the batch: the target should hold nothing before, and nothing after.
    expect(expectations([ins(4, 'a'), del(4, 'a')])).toEqual([{ keyRow: { id: 4, v: 'a' }, expected: null, final: null }]);
    expect(expectations([del(5, 'a'), ins(5, 'z')])).toEqual([{ keyRow: { id: 5, v: 'a' }, expected: { id: 5, v: 'a' }, final: { id: 5, v: 'z' } }]);
  });

  it('restarts the expectation at a chain break (a change the batch lacks came in between)', () => {
    // The batch lacks b -> m (the mirror's transaction, made on the target and dropped): the target holds m.
    expect(expectations([upd(1, 'a', 'b'), upd(1, 'm', 'c')])).toEqual([{ keyRow: { id: 1, v: 'a' }, expected: { id: 1, v: 'm' }, final: { id: 1, v: 'c' } }]);
    // A dropped insert: the delete's before image is what the target holds.
    expect(expectations([del(2, 'a'), del(2, 'm')])).toEqual([{ keyRow: { id: 2, v: 'a' }, expected: { id: 2, v: 'm' }, final: null }]);
    // A dropped delete: the insert expects no row.
    expect(expectations([upd(3, 'a', 'b'), ins(3, 'c')])).toEqual([{ keyRow: { id: 3, v: 'a' }, expected: null, final: { id: 3, v: 'c' } }]);
  });

  it('splits a key change into the old key, expected and gone, and the new key, expected absent', () => {
    expect(expectations([upd(1, 'a', 'a', 7)])).toEqual([
      { keyRow: { id: 1, v: 'a' }, expected: { id: 1, v: 'a' }, final: null },
      { keyRow: { id: 7, v: 'a' }, expected: null, final: { id: 7, v: 'a' } },
    ]);
  });

  it('compares images by value: a Buffer and the same bytes are no chain break', () => {
    const b = (id: number, v: Buffer) => ({ id, v });
    const changes: TargetChange[] = [
      { schema: 's', table: 't', kind: 'update', before: b(1, Buffer.from('a')), after: b(1, Buffer.from('b')) },
      { schema: 's', table: 't', kind: 'update', before: b(1, Buffer.from('b')), after: b(1, Buffer.from('c')) },
    ];
    expect(expectations(changes)?.[0]?.expected).toEqual(b(1, Buffer.from('a')));
  });
});
