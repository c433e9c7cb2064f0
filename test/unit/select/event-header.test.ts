import { describe, expect, it } from 'vitest';
import { readEventHeader, replaysAsStatements } from '../../../node/select/event-header.ts';
import { DELETE_ROWS_V1, rawEvent, rowsEvent, tableMap, UPDATE_ROWS_V1 } from '../../support/raw-events.ts';

describe('binlog event header fields', () => {
  it('reads the kind, the 48-bit table id and STMT_END_F of table-map and row events, with or without a checksum', () => {
    expect(readEventHeader(tableMap(0x0102_0304_0506))).toEqual({ kind: 'tablemap', tableId: 0x0102_0304_0506, statementEnd: false });
    expect(readEventHeader(rowsEvent(77, true, UPDATE_ROWS_V1))).toEqual({ kind: 'rows', tableId: 77, statementEnd: true });
    expect(readEventHeader(rowsEvent(77, false, DELETE_ROWS_V1))).toEqual({ kind: 'rows', tableId: 77, statementEnd: false });
    // Other flags (NO_FOREIGN_KEY_CHECKS_F = 2, ...) are not the statement's end.
    expect(readEventHeader(rawEvent(23, 5, 0x0006, 'body', false))).toEqual({ kind: 'rows', tableId: 5, statementEnd: false });
    // MySQL's v2 row events and MariaDB's compressed ones have the same post-header start.
    expect(readEventHeader(rawEvent(30, 9, 1))?.kind).toBe('rows');
    expect(readEventHeader(rawEvent(169, 9, 1))?.kind).toBe('rows');
    expect(readEventHeader(rawEvent(2, 0))?.kind).toBe('other');
  });

  it('refuses bytes that cannot be one whole event', () => {
    const event = rowsEvent(3, true);
    expect(readEventHeader(event.subarray(0, 10))).toBeUndefined();
    expect(readEventHeader(event.subarray(0, event.length - 1))).toBeUndefined();
    expect(readEventHeader(Buffer.concat([event, event]))).toBeUndefined();
  });
});

describe('replaysAsStatements', () => {
  it('accepts whole statements: maps first, then rows, the last flagged STMT_END', () => {
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, false), rowsEvent(1, true)])).toBe(true);
    // A multi-table statement, then a second statement that maps its table again.
    expect(replaysAsStatements([tableMap(1), tableMap(2), rowsEvent(1, false), rowsEvent(2, true), tableMap(2), rowsEvent(2, true, DELETE_ROWS_V1)])).toBe(true);
  });

  it('refuses a statement that lost its last row event (another schema, filtered out by zongji)', () => {
    // UPDATE a.t, b.u ...: b.u's map and rows never reached Ferry.
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, false)])).toBe(false);
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, false), tableMap(2), rowsEvent(2, true)])).toBe(false);
  });

  it('refuses rows whose table map is not in their statement', () => {
    expect(replaysAsStatements([rowsEvent(1, true)])).toBe(false);
    expect(replaysAsStatements([tableMap(1), rowsEvent(2, true)])).toBe(false);
    // The map of an ended statement does not serve the next one.
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, true), rowsEvent(1, true)])).toBe(false);
  });

  it('refuses maps with no rows after them, and events that are neither', () => {
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, true), tableMap(2)])).toBe(false);
    expect(replaysAsStatements([tableMap(1), rawEvent(2, 0), rowsEvent(1, true)])).toBe(false);
    expect(replaysAsStatements([tableMap(1), rowsEvent(1, true).subarray(0, 20)])).toBe(false);
  });
});
