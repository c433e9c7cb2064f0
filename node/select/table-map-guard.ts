import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FerryError } from '../../shared/errors/index.ts';

/**
 * Makes @vlasky/zongji 0.9.0 (pinned exactly) stop on a row event whose table map it does
 * not hold, instead of dropping the event in silence.
 *
 * zongji marks an event `_filtered` and never emits it in two cases: a TABLE_MAP of a schema
 * its includeSchema/excludeSchema filters leave out (it then forgets that table id), and a
 * row event whose table id has no map, which it takes for the rows of such a table. The
 * second case also covers a map that is simply missing, and then rows would vanish. So the
 * table ids zongji filtered on purpose are remembered per table-map cache, and a row event
 * filtered for any other table id throws: zongji reports the error and the reader stops.
 */

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
type EventClass = { prototype: object };
const rowsEvents = (await import(pathToFileURL(join(zongjiDir, 'lib', 'rows_event.js')).href)) as Record<string, EventClass | undefined>;
const binlogEvents = (await import(pathToFileURL(join(zongjiDir, 'lib', 'binlog_event.js')).href)) as Record<string, EventClass | undefined>;

interface ZongjiEventThis {
  tableMap: object;
  tableId: number;
  /** Set on row events: the zongji instance, whose options name the binlog file being read. */
  _zongji?: { options?: { filename?: string } };
}

/** Table ids whose TABLE_MAP zongji filtered out, per zongji instance's table-map cache. */
const filteredIds = new WeakMap<object, Set<number>>();
const FILTERED = Symbol('filtered');

function defineFiltered(prototype: object, onFiltered: (event: ZongjiEventThis) => void): void {
  Object.defineProperty(prototype, '_filtered', {
    configurable: true,
    get(this: Record<symbol, unknown>) {
      return this[FILTERED] === true;
    },
    set(this: ZongjiEventThis & Record<symbol, unknown>, value: unknown) {
      if (value === true) onFiltered(this);
      this[FILTERED] = value;
    },
  });
}

/** Installs the guard on zongji's event classes. Idempotent. */
export function installTableMapGuard(): void {
  const writeRows = rowsEvents.WriteRows;
  const tableMap = binlogEvents.TableMap;
  if (!writeRows || !tableMap) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `@vlasky/zongji ${zongjiDir}: no WriteRows/TableMap export; check the pinned version` });
  // WriteRows, UpdateRows and DeleteRows share RowsEvent's constructor, which sets _filtered.
  const rowsEvent = Object.getPrototypeOf(writeRows.prototype) as object;
  defineFiltered(tableMap.prototype, (event) => {
    let ids = filteredIds.get(event.tableMap);
    if (!ids) filteredIds.set(event.tableMap, (ids = new Set()));
    ids.add(event.tableId);
  });
  defineFiltered(rowsEvent, (event) => {
    if (filteredIds.get(event.tableMap)?.has(event.tableId)) return;
    const file = event._zongji?.options?.filename ?? 'the binlog';
    throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: `a row event in ${file}`, detail: `rows of table id ${event.tableId} arrived without its table map` });
  });
}

/** The prototypes the guard patches, for its unit test. */
export const guardedPrototypes = {
  rowsEvent: Object.getPrototypeOf(rowsEvents.WriteRows?.prototype ?? {}) as object,
  tableMap: binlogEvents.TableMap?.prototype ?? {},
};
