import { describe, expect, it } from 'vitest';
import { MirrorFilter } from '../../../node/extract/mirror-filter.ts';
import type { SourceTransaction } from '../../../shared/model/change.ts';

const columns = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];

function transaction(seq: number, appliedBy?: string[], ddl = false): SourceTransaction {
  return {
    gtid: `1-1-${seq}`,
    end: { file: 'bin.000001', pos: seq * 100, gtidSet: `1-1-${seq}` },
    timestamp: seq * 1000,
    changes: ddl ? [] : [{ schema: 's', table: 't', kind: 'insert', columns, after: { id: seq } }],
    bytes: 40,
    ...(ddl ? { ddl: { schema: 's', sql: 'ALTER TABLE t ADD c INT' } } : {}),
    ...(appliedBy === undefined ? {} : { appliedBy }),
  };
}

describe('MirrorFilter', () => {
  it("drops the mirror's transactions whole, rows and DDL, and lets the application's and other pipelines' flow", () => {
    let now = 0;
    const filter = new MirrorFilter('b-to-a', 60_000, () => now);
    const own = transaction(1);
    const cascaded = transaction(2, ['c-to-a']);
    expect(filter.admit(own)).toBe(own);
    expect(filter.admit(cascaded)).toBe(cascaded);
    now = 59_999;
    expect(filter.admit(transaction(3, ['b-to-a']))).toBeUndefined();
    expect(filter.admit(transaction(4, ['c-to-a', 'b-to-a'], true))).toBeUndefined();
  });

  it("sends one of the mirror's transactions, empty, when nothing was queued for the keep-alive time, and then waits again", () => {
    let now = 1_000;
    const filter = new MirrorFilter('b-to-a', 60_000, () => now);
    expect(filter.admit(transaction(1, ['b-to-a']))).toBeUndefined();
    now = 61_000;
    expect(filter.admit(transaction(2, ['b-to-a'], true))).toEqual({
      gtid: '1-1-2', end: { file: 'bin.000001', pos: 200, gtidSet: '1-1-2' }, timestamp: 2000, changes: [], bytes: 0, appliedBy: ['b-to-a'],
    });
    now = 62_000;
    expect(filter.admit(transaction(3, ['b-to-a']))).toBeUndefined();
    // The application's transaction counts as a send: the next keep-alive is due a minute after it.
    now = 100_000;
    expect(filter.admit(transaction(4))).toBeDefined();
    now = 159_000;
    expect(filter.admit(transaction(5, ['b-to-a']))).toBeUndefined();
    now = 160_000;
    expect(filter.admit(transaction(6, ['b-to-a']))?.changes).toEqual([]);
  });

  it("on the primary's side forwards the mirror's row transactions as echoes; its DDL and rowless ones follow the keep-alive rule", () => {
    let now = 0;
    const filter = new MirrorFilter('b-to-a', 60_000, () => now, true);
    const own = transaction(1);
    expect(filter.admit(own)).toBe(own);
    const mirrored = transaction(2, ['b-to-a']);
    expect(filter.admit(mirrored)).toEqual({ ...mirrored, echo: true });
    expect(mirrored.echo).toBeUndefined();
    now = 59_999;
    expect(filter.admit(transaction(3, ['b-to-a'], true))).toBeUndefined();
    expect(filter.admit({ ...transaction(4, ['b-to-a']), changes: [] })).toBeUndefined();
    now = 200_000;
    expect(filter.admit({ ...transaction(5, ['b-to-a']), changes: [] })).toMatchObject({ changes: [], appliedBy: ['b-to-a'] });
  });
});

describe('MirrorFilter and replay', () => {
  it("forwards an echo without the source's events: it is applied by SQL, where the target still holds what it expects", () => {
    const filter = new MirrorFilter('b-to-a', 60_000, () => 0, true);
    const replay = { format: Buffer.from('format'), events: [Buffer.from('map'), Buffer.from('rows')] };
    const mirrored: SourceTransaction = { ...transaction(2, ['b-to-a']), replay };
    const echo = filter.admit(mirrored);
    expect(echo).toMatchObject({ echo: true, changes: mirrored.changes });
    expect(echo?.replay).toBeUndefined();
    expect(mirrored.replay).toBe(replay);
    const own: SourceTransaction = { ...transaction(3), replay };
    expect(filter.admit(own)?.replay).toBe(replay);
  });
});
