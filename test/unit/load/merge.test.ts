import { describe, expect, it } from 'vitest';
import type { TargetChange } from '../../../shared/model/change.ts';
import { mergeTableChanges } from '../../../node/load/merge.ts';
import { statementsFor } from '../../../node/load/statements.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';

const table: TargetTable = { schema: 's', table: 't', key: ['id'], uniqueKeys: [{ columns: ['id'] }], writable: new Set(['id', 'v']), columns: new Set(['id', 'v']) };
const ins = (id: number, v: string): TargetChange => ({ schema: 's', table: 't', kind: 'insert', after: { id, v } });
const upd = (id: number, from: string, to: string, newId = id): TargetChange => ({ schema: 's', table: 't', kind: 'update', before: { id, v: from }, after: { id: newId, v: to } });
const del = (id: number, v: string): TargetChange => ({ schema: 's', table: 't', kind: 'delete', before: { id, v } });

describe('mergeTableChanges', () => {
  it('folds insert then update into one write of the final image', () => {
    const ops = mergeTableChanges(table, [ins(1, 'a'), upd(1, 'a', 'b'), upd(1, 'b', 'c')]);
    expect(ops).toMatchObject({ deletes: [], writes: [{ id: 1, v: 'c' }], replaced: [] });
  });

  it('drops a row inserted and deleted in the same batch', () => {
    expect(mergeTableChanges(table, [ins(1, 'a'), upd(1, 'a', 'b'), del(1, 'b')])).toMatchObject({ deletes: [], writes: [] });
    // Replaying an online copy's window the row may be on the target already (copied after the insert): still deleted.
    expect(mergeTableChanges(table, [ins(1, 'a'), upd(1, 'a', 'b'), del(1, 'b')], true)).toMatchObject({ deletes: [{ id: 1 }], writes: [] });
  });

  it('turns update then delete into a delete, and delete then insert into a rewrite', () => {
    expect(mergeTableChanges(table, [upd(1, 'a', 'b'), del(1, 'b')])).toMatchObject({ deletes: [{ id: 1 }], writes: [] });
    expect(mergeTableChanges(table, [del(2, 'a'), ins(2, 'z')])).toMatchObject({ deletes: [], writes: [{ id: 2, v: 'z' }], replaced: [{ id: 2 }] });
  });

  it('splits a key change into a delete of the old key and a write of the new one', () => {
    const ops = mergeTableChanges(table, [upd(1, 'a', 'a', 5), ins(1, 'new')]);
    expect(ops.deletes).toEqual([]);
    expect(ops.writes).toHaveLength(2);
    expect(ops.writes).toEqual(expect.arrayContaining([{ id: 5, v: 'a' }, { id: 1, v: 'new' }]));
    expect(mergeTableChanges(table, [upd(1, 'a', 'a', 5)])).toMatchObject({ deletes: [{ id: 1 }], writes: [{ id: 5, v: 'a' }] });
  });

  it('treats a Buffer key and its bytes as one row', () => {
    const binary: TargetTable = { ...table, key: ['k'] };
    const ops = mergeTableChanges(binary, [
      { schema: 's', table: 't', kind: 'insert', after: { k: Buffer.from([1, 2]), v: 'a' } },
      { schema: 's', table: 't', kind: 'delete', before: { k: Buffer.from([1, 2]), v: 'a' } },
    ]);
    expect(ops.writes).toEqual([]);
  });
});

describe('statementsFor', () => {
  it('deletes, inserts the rows the batch created and upserts the rows it rewrote, for a table with only a primary key', () => {
    const statements = statementsFor('mariadb', mergeTableChanges(table, [del(3, 'x'), ins(1, 'a'), upd(4, 'c', 'd'), ins(2, 'b')]));
    expect(statements.map((s) => s.sql)).toEqual([
      'DELETE FROM `s`.`t` WHERE `id` IN (3)',
      "INSERT INTO `s`.`t` (`id`,`v`) VALUES (1,'a'),(2,'b')",
      "INSERT INTO `s`.`t` (`id`,`v`) VALUES (4,'d') ON DUPLICATE KEY UPDATE `id`=VALUES(`id`),`v`=VALUES(`v`)",
    ]);
    // Should the target hold a created row already (loaded with an overlap), the insert runs again as an upsert.
    expect(statements[1]?.upsert?.().sql).toBe("INSERT INTO `s`.`t` (`id`,`v`) VALUES (1,'a'),(2,'b') ON DUPLICATE KEY UPDATE `id`=VALUES(`id`),`v`=VALUES(`v`)");
    expect(statements[2]?.upsert).toBeUndefined();
  });

  it('deletes rewritten rows and inserts plainly when the table has another unique key', () => {
    const unique: TargetTable = { ...table, uniqueKeys: [{ columns: ['id'] }, { columns: ['v'] }] };
    // Two rows swap their unique values inside one batch.
    const statements = statementsFor('mariadb', mergeTableChanges(unique, [upd(1, 'a', 'tmp'), upd(2, 'b', 'a'), upd(1, 'tmp', 'b')]));
    expect(statements.map((s) => s.sql)).toEqual(['DELETE FROM `s`.`t` WHERE `id` IN (1,2)', "INSERT INTO `s`.`t` (`id`,`v`) VALUES (1,'b'),(2,'a')"]);
  });

  it('uses tuples for composite keys, leaves generated columns out and uses the MySQL alias form', () => {
    const composite: TargetTable = { schema: 's', table: 't', key: ['a', 'b'], uniqueKeys: [{ columns: ['a', 'b'] }], writable: new Set(['a', 'b', 'v']), columns: new Set(['a', 'b', 'v', 'g']) };
    const ops = mergeTableChanges(composite, [
      { schema: 's', table: 't', kind: 'delete', before: { a: 1, b: 2, v: 'x', g: 1 } },
      { schema: 's', table: 't', kind: 'update', before: { a: 3, b: 4, v: 'x', g: 2 }, after: { a: 3, b: 4, v: 'y', g: 2 } },
    ]);
    const statements = statementsFor('mysql', ops);
    expect(statements.map((s) => s.sql)).toEqual([
      'DELETE FROM `s`.`t` WHERE (`a`,`b`) IN ((1,2))',
      "INSERT INTO `s`.`t` (`a`,`b`,`v`) VALUES (3,4,'y') AS ferry_new ON DUPLICATE KEY UPDATE `a`=ferry_new.`a`,`b`=ferry_new.`b`,`v`=ferry_new.`v`",
    ]);
  });
});

describe('statementsFor: values in the text', () => {
  it('writes each kind of transformed value as mysql2 would have: NULL, exact numbers, escaped text, hex bytes', async () => {
    const { SqlLiteral } = await import('../../../node/transform/values.ts');
    const wide: TargetTable = { ...table, writable: new Set(['id', 'v', 'n', 'b', 'd', 'x']), columns: new Set(['id', 'v', 'n', 'b', 'd', 'x']) };
    const after = { id: 18446744073709551615n, v: "it's\\\n", n: null, b: Buffer.from([0, 255]), d: new SqlLiteral('-0.01'), x: 1.5 };
    const [statement] = statementsFor('mariadb', mergeTableChanges(wide, [{ schema: 's', table: 't', kind: 'insert', after }]));
    expect(statement?.sql).toContain(String.raw`VALUES (18446744073709551615,'it\'s\\\n',NULL,X'00ff',-0.01,1.5)`);
  });
});

describe('statementsFor: target columns', () => {
  it('refuses a column the target table lacks instead of dropping it', () => {
    const ops = mergeTableChanges(table, [{ schema: 's', table: 't', kind: 'insert', after: { id: 1, v: 'a', extra: 'lost?' } }]);
    expect(() => statementsFor('mariadb', ops)).toThrow(/target table has no column 'extra'/);
  });
});

describe('writeSetOf', () => {
  it('makes batches touching the same row under a case-insensitive collation depend on each other', async () => {
    const { writeSetOf, intersects } = await import('../../../node/load/write-set.ts');
    const named = { ...table, key: ['name'], uniqueKeys: [{ columns: ['name'] }] };
    const of = (change: TargetChange) => writeSetOf([{ table: named, name: 's.t', changes: [change] }]);
    const a = of({ schema: 's', table: 't', kind: 'insert', after: { name: 'Ferry ' } });
    const b = of({ schema: 's', table: 't', kind: 'delete', before: { name: 'férry' } });
    const c = of({ schema: 's', table: 't', kind: 'delete', before: { name: 'other' } });
    expect(intersects(a, b)).toBe(true);
    expect(intersects(a, c)).toBe(false);
  });
});
