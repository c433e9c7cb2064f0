import { describe, expect, it } from 'vitest';
import { TransactionAssembler } from '../../../node/select/transaction-assembler.ts';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';
import { DELETE_ROWS_V1, formatEvent, rowsEvent, tableMap } from '../../support/raw-events.ts';

const columns: ColumnInfo[] = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];

function assemble() {
  const out: SourceTransaction[] = [];
  const replicated = (schema: string, table: string) => schema === 's' && table !== 'skipped';
  const assembler = new TransactionAssembler('bin.000001', undefined, (t) => out.push(t), () => {}, replicated, { schema: '_ferry', table: 'checkpoints' });
  /** One statement's map and one row event of `table`, flagged as its statement's end. */
  const statement = (table: string, tableId: number, schema = 's') => {
    assembler.push({ type: 'tablemap', raw: tableMap(tableId) });
    assembler.push({ type: 'rows', kind: 'insert', schema, table, columns, rows: [{ id: tableId }], timestamp: 1, bytes: 10, raw: rowsEvent(tableId, true) });
  };
  return { assembler, out, statement };
}

describe('TransactionAssembler: replay', () => {
  it('carries the format and every table-map and row event of the transaction, in binlog order, as they came', () => {
    const { assembler, out } = assemble();
    const format = formatEvent();
    const events = [tableMap(7), tableMap(8), rowsEvent(7, false), rowsEvent(8, true), tableMap(7), rowsEvent(7, true, DELETE_ROWS_V1)];
    assembler.push({ type: 'format', raw: format });
    assembler.push({ type: 'gtid', gtid: '0-1-5', timestamp: 1 });
    assembler.push({ type: 'tablemap', raw: events[0]! });
    assembler.push({ type: 'tablemap', raw: events[1]! });
    assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 'a', columns, rows: [{ id: 1 }], timestamp: 1, raw: events[2]! });
    assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 'b', columns, rows: [{ id: 2 }], timestamp: 1, raw: events[3]! });
    assembler.push({ type: 'tablemap', raw: events[4]! });
    assembler.push({ type: 'rows', kind: 'delete', schema: 's', table: 'a', columns, rows: [{ id: 1 }], timestamp: 1, raw: events[5]! });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    expect(out).toHaveLength(1);
    expect(out[0]!.replay?.format).toBe(format);
    expect(out[0]!.replay?.events).toEqual(events);
    expect(out[0]!.changes).toHaveLength(3);
  });

  it('uses the newest format event: each binlog file starts with its own', () => {
    const { assembler, out, statement } = assemble();
    const first = formatEvent();
    const second = formatEvent();
    assembler.push({ type: 'format', raw: first });
    assembler.push({ type: 'gtid', gtid: '0-1-5', timestamp: 1 });
    statement('a', 1);
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    assembler.push({ type: 'rotate', file: 'bin.000002' });
    assembler.push({ type: 'format', raw: second });
    assembler.push({ type: 'gtid', gtid: '0-1-6', timestamp: 1 });
    statement('a', 1);
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    expect(out.map((t) => t.replay?.format)).toEqual([first, second]);
    expect(out[1]!.replay?.format).toBe(second);
  });

  it('leaves replay off before any format event, and for a transaction a format event cut', () => {
    const { assembler, out, statement } = assemble();
    assembler.push({ type: 'gtid', gtid: '0-1-5', timestamp: 1 });
    statement('a', 1);
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    assembler.push({ type: 'gtid', gtid: '0-1-6', timestamp: 1 });
    statement('a', 1);
    assembler.push({ type: 'format', raw: formatEvent() });
    statement('a', 1);
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 200 });
    expect(out.map((t) => t.replay)).toEqual([undefined, undefined]);
    expect(out[1]!.changes).toHaveLength(2);
  });

  it('leaves replay off for rows of a table not replicated, of the mark table, and for events it could not capture', () => {
    const { assembler, out, statement } = assemble();
    assembler.push({ type: 'format', raw: formatEvent() });
    const transaction = (gtid: string, body: () => void) => {
      assembler.push({ type: 'gtid', gtid, timestamp: 1 });
      body();
      assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    };
    transaction('0-1-1', () => {
      statement('a', 1);
      statement('skipped', 2);
    });
    transaction('0-1-2', () => {
      statement('a', 1);
      assembler.push({ type: 'tablemap', raw: tableMap(3) });
      assembler.push({ type: 'rows', kind: 'insert', schema: '_ferry', table: 'checkpoints', columns, rows: [{ pipeline: 'mirror' }], timestamp: 1, raw: rowsEvent(3, true) });
    });
    transaction('0-1-3', () => {
      assembler.push({ type: 'tablemap' });
      assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 'a', columns, rows: [{ id: 1 }], timestamp: 1, raw: rowsEvent(1, true) });
    });
    transaction('0-1-4', () => {
      assembler.push({ type: 'tablemap', raw: tableMap(1) });
      assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 'a', columns, rows: [{ id: 1 }], timestamp: 1 });
    });
    transaction('0-1-5', () => statement('a', 1));
    expect(out.map((t) => t.replay !== undefined)).toEqual([false, false, false, false, true]);
  });

  it('leaves replay off for a statement that lost its last row event and for statements among the rows', () => {
    const { assembler, out, statement } = assemble();
    assembler.push({ type: 'format', raw: formatEvent() });
    // UPDATE s.a, other.b: zongji filtered other.b's map and its row event (the statement's end).
    assembler.push({ type: 'gtid', gtid: '0-1-1', timestamp: 1 });
    assembler.push({ type: 'tablemap', raw: tableMap(1) });
    assembler.push({ type: 'rows', kind: 'update', schema: 's', table: 'a', columns, rows: [{ before: { id: 1 }, after: { id: 2 } }], timestamp: 1, raw: rowsEvent(1, false) });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    // Statements logged as statements after a first one (binlog_format=STATEMENT session).
    assembler.push({ type: 'gtid', gtid: '0-1-2', timestamp: 1, standalone: false });
    assembler.push({ type: 'query', sql: 'INSERT INTO a VALUES (1)', schema: 's', timestamp: 1, nextPosition: 150 });
    assembler.push({ type: 'query', sql: 'INSERT INTO a VALUES (2)', schema: 's', timestamp: 1, nextPosition: 160 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 200 });
    // CREATE TABLE ... SELECT: the statement, then rows.
    assembler.push({ type: 'gtid', gtid: '0-1-3', timestamp: 1, standalone: false });
    assembler.push({ type: 'query', sql: 'CREATE TABLE c SELECT 1 AS id', schema: 's', timestamp: 1, nextPosition: 250 });
    statement('c', 4);
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 300 });
    // A savepoint rolled back to: the rows after it are gone from changes.
    assembler.push({ type: 'query', sql: 'BEGIN', schema: '', timestamp: 1, nextPosition: 310 });
    statement('a', 1);
    assembler.push({ type: 'query', sql: 'SAVEPOINT sp', schema: '', timestamp: 1, nextPosition: 320 });
    statement('a', 1);
    assembler.push({ type: 'query', sql: 'ROLLBACK TO sp', schema: '', timestamp: 1, nextPosition: 330 });
    assembler.push({ type: 'query', sql: 'COMMIT', schema: '', timestamp: 1, nextPosition: 340 });
    // And a plain BEGIN ... COMMIT one replays.
    assembler.push({ type: 'query', sql: 'BEGIN', schema: '', timestamp: 1, nextPosition: 350 });
    statement('a', 1);
    assembler.push({ type: 'query', sql: 'COMMIT', schema: '', timestamp: 1, nextPosition: 360 });
    expect(out.map((t) => t.replay !== undefined)).toEqual([false, false, false, false, true]);
    expect(out[3]!.changes).toHaveLength(1);
  });
});
