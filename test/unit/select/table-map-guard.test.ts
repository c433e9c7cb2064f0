import { describe, expect, it } from 'vitest';
import { guardedPrototypes, installTableMapGuard } from '../../../node/select/table-map-guard.ts';

/** An event object of zongji's class, as its constructor leaves it before marking it filtered. */
const eventOf = (prototype: object, tableMap: object, tableId: number): { _filtered: unknown } =>
  Object.assign(Object.create(prototype) as { _filtered: unknown }, { tableMap, tableId });

describe('table map guard', () => {
  installTableMapGuard();

  it('stops on a row event whose table map zongji does not hold, instead of dropping it', () => {
    const rows = eventOf(guardedPrototypes.rowsEvent, {}, 42);
    expect(() => {
      rows._filtered = true;
    }).toThrow(expect.objectContaining({ code: 'FERRY_ERR_BINLOG_TRANSACTION', message: expect.stringContaining('table id 42') as unknown }));
  });

  it('lets zongji drop the rows of a table it filtered out on purpose, per zongji instance', () => {
    const cache = {};
    const map = eventOf(guardedPrototypes.tableMap, cache, 7);
    map._filtered = true;
    expect(map._filtered).toBe(true);
    const rows = eventOf(guardedPrototypes.rowsEvent, cache, 7);
    rows._filtered = true;
    expect(rows._filtered).toBe(true);
    expect(() => {
      eventOf(guardedPrototypes.rowsEvent, {}, 7)._filtered = true;
    }).toThrow(/table id 7/);
    expect(eventOf(guardedPrototypes.rowsEvent, cache, 8)._filtered).toBe(false);
  });
});
