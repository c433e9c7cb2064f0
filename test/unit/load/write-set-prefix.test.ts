import { describe, expect, it } from 'vitest';
import type { Row, TargetChange } from '../../../shared/model/change.ts';
import { intersects, writeSetOf } from '../../../node/load/write-set.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';

/**
 * A prefix unique key (`UNIQUE (name(4))`) makes two rows conflict when their first 4
 * characters (bytes, for a binary column) are equal under the column's collation: the
 * write-set must see them as one entry, or two batches apply in parallel and collide.
 */
const table: TargetTable = {
  schema: 's', table: 't', key: ['id'],
  uniqueKeys: [{ columns: ['id'] }, { columns: ['name'], prefixes: [{ length: 4, bytes: false }] }, { columns: ['tag', 'bin'], prefixes: [undefined, { length: 3, bytes: true }] }],
  writable: new Set(['id', 'name', 'tag', 'bin']), columns: new Set(['id', 'name', 'tag', 'bin']),
};
const insert = (after: Row): TargetChange => ({ schema: 's', table: 't', kind: 'insert', after });
// Each row gets its own values of the keys a test does not look at (a missing part would make every row share an entry).
let n = 100;
const of = (after: Row) => writeSetOf([{ table, name: 's.t', changes: [insert({ name: `n${++n}`, tag: n, bin: Buffer.from('-'), ...after })] }]);

describe('writeSetOf: prefix unique keys', () => {
  it('makes rows that share a text prefix (under a case- and accent-insensitive fold) depend on each other', () => {
    expect(intersects(of({ id: 1, name: 'abcdXXX' }), of({ id: 2, name: 'abcdYYY' }))).toBe(true);
    expect(intersects(of({ id: 1, name: 'ÁBCdef' }), of({ id: 2, name: 'abcd' }))).toBe(true);
    expect(intersects(of({ id: 1, name: 'abcX' }), of({ id: 2, name: 'abcY' }))).toBe(false);
  });

  it('counts characters, not UTF-16 units or bytes, in a text prefix', () => {
    expect(intersects(of({ id: 1, name: '😀😀😀😀a' }), of({ id: 2, name: '😀😀😀😀b' }))).toBe(true);
    expect(intersects(of({ id: 1, name: '😀😀😀a' }), of({ id: 2, name: '😀😀😀b' }))).toBe(false);
  });

  it('cuts a binary part by bytes, and keeps the other parts of the key whole', () => {
    expect(intersects(of({ id: 1, tag: 1, bin: Buffer.from('abcX') }), of({ id: 2, tag: 1, bin: Buffer.from('abcY') }))).toBe(true);
    expect(intersects(of({ id: 1, tag: 1, bin: Buffer.from('abcX') }), of({ id: 2, tag: 2, bin: Buffer.from('abcY') }))).toBe(false);
    expect(intersects(of({ id: 1, tag: 1, bin: Buffer.from('abX') }), of({ id: 2, tag: 1, bin: Buffer.from('abY') }))).toBe(false);
  });

  it('gives text it could not decode (bytes in a text column) one shared entry', () => {
    expect(intersects(of({ id: 1, name: Buffer.from([0x81, 1]) }), of({ id: 2, name: Buffer.from([0x8d, 2]) }))).toBe(true);
  });
});

describe('writeSetOf: text any collation may find equal', () => {
  const named: TargetTable = { ...table, key: ['name'], uniqueKeys: [{ columns: ['name'] }] };
  const entry = (name: string) => writeSetOf([{ table: named, name: 's.t', changes: [insert({ name })] }]);

  it('shares an entry for values equal under utf8mb4_general_ci or a UCA collation', () => {
    // general_ci: ß = s; unicode_ci: ß = ss, æ = ae, ø ~ o, ligatures and full-width forms as their letters, soft hyphen ignored.
    for (const [a, b] of [['straße', 'strase'], ['straße', 'STRASSE'], ['Æsir', 'aesir'], ['Søren', 'soren'], ['ﬁle', 'file'], ['ＡＢＣ', 'abc'], ['co\u00ADop', 'coop'], ['ab  ', 'AB']]) {
      expect(intersects(entry(a!), entry(b!)), `${a} ~ ${b}`).toBe(true);
    }
    expect(intersects(entry('strasse'), entry('strand'))).toBe(false);
  });
});

describe('uniqueKeyOf', () => {
  it('keeps prefix lengths, counts bytes for binary columns, and leaves expression parts out (a coarser key)', async () => {
    const { uniqueKeyOf } = await import('../../../node/load/target-tables.ts');
    const index = { name: 'u', unique: true, columns: [{ name: 'Name', nullable: false, prefix: 10 }, { name: 'Blob', nullable: false, prefix: 8 }, { name: null, nullable: false }, { name: 'id', nullable: false }] };
    expect(uniqueKeyOf(index, new Set(['blob']))).toEqual({
      columns: ['Name', 'Blob', 'id'],
      prefixes: [{ length: 10, bytes: false }, { length: 8, bytes: true }, undefined],
    });
    expect(uniqueKeyOf({ name: 'PRIMARY', unique: true, columns: [{ name: 'id', nullable: false }] }, new Set())).toEqual({ columns: ['id'] });
  });
});
