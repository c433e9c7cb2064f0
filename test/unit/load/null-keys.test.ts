import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { TargetChange } from '../../../shared/model/change.ts';
import { mergeTableChanges } from '../../../node/load/merge.ts';
import { statementsFor } from '../../../node/load/statements.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';

/** A NULL in a key identifies no row: merging by it would fold different rows into one. */
const table: TargetTable = { schema: 's', table: 't', key: ['a', 'b'], uniqueKeys: [{ columns: ['a', 'b'] }], writable: new Set(['a', 'b', 'v']), columns: new Set(['a', 'b', 'v']) };
const ins = (a: number | null, b: number | null, v: string): TargetChange => ({ schema: 's', table: 't', kind: 'insert', after: { a, b, v } });

describe('mergeTableChanges: keys with a NULL part', () => {
  it('never merges two rows whose key has a NULL part, even with equal values', () => {
    const ops = mergeTableChanges(table, [ins(1, null, 'x'), ins(1, null, 'y'), ins(null, null, 'z'), ins(null, null, 'w')]);
    expect(ops.writes).toEqual([{ a: 1, b: null, v: 'x' }, { a: 1, b: null, v: 'y' }, { a: null, b: null, v: 'z' }, { a: null, b: null, v: 'w' }]);
  });

  it('does not take an update of a NULL-keyed row for an update in place', () => {
    const ops = mergeTableChanges(table, [{ schema: 's', table: 't', kind: 'update', before: { a: 1, b: null, v: 'x' }, after: { a: 1, b: null, v: 'y' } }]);
    expect(ops.deletes).toEqual([{ a: 1, b: null, v: 'x' }]);
    expect(ops.writes).toEqual([{ a: 1, b: null, v: 'y' }]);
  });

  it('stops with FERRY_ERR_MAPPING_DROPS_KEY when the images lack a key column (a rule that excludes it)', () => {
    const single: TargetTable = { ...table, key: ['id'], uniqueKeys: [{ columns: ['id'] }] };
    let error: unknown;
    try {
      mergeTableChanges(single, [{ schema: 's', table: 't', kind: 'insert', after: { v: 'x' } }, { schema: 's', table: 't', kind: 'insert', after: { v: 'y' } }]);
    } catch (caught) {
      error = caught;
    }
    expect(isFerryError(error, 'FERRY_ERR_MAPPING_DROPS_KEY')).toBe(true);
    expect((error as Error).message).toContain("s.t leaves out the target key (id): the changes reaching the target have no column 'id'");
  });

  it('applies by a NOT NULL unique key when the rows lack the primary key (the target\'s own AUTO_INCREMENT id)', () => {
    const surrogate: TargetTable = { schema: 's', table: 't', key: ['id'], keys: [['id'], ['code']], uniqueKeys: [{ columns: ['id'] }, { columns: ['code'] }], writable: new Set(['id', 'code', 'v']), columns: new Set(['id', 'code', 'v']) };
    const ops = mergeTableChanges(surrogate, [
      { schema: 's', table: 't', kind: 'insert', after: { code: 'a', v: 1 } },
      { schema: 's', table: 't', kind: 'insert', after: { code: 'b', v: 2 } },
      { schema: 's', table: 't', kind: 'update', before: { code: 'a', v: 1 }, after: { code: 'a', v: 3 } },
      { schema: 's', table: 't', kind: 'delete', before: { code: 'c', v: 4 } },
    ]);
    expect(ops.key).toEqual(['code']);
    expect(ops.writes).toEqual([{ code: 'a', v: 3 }, { code: 'b', v: 2 }]);
    expect(statementsFor('mariadb', ops).map((s) => s.sql)).toEqual(["DELETE FROM `s`.`t` WHERE `code` IN ('c')", "INSERT INTO `s`.`t` (`code`,`v`) VALUES ('a',3),('b',2)"]);
  });
});
