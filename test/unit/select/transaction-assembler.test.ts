import { describe, expect, it } from 'vitest';
import type { AssemblerEvent } from '../../../node/select/transaction-assembler.ts';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';
import { parseGtidSet } from '../../../shared/model/gtid.ts';
import { TransactionAssembler } from '../../../node/select/transaction-assembler.ts';

const columns: ColumnInfo[] = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];

function assemble(seed?: string) {
  const out: SourceTransaction[] = [];
  const assembler = new TransactionAssembler('bin.000001', seed === undefined ? undefined : parseGtidSet('mariadb', seed), (t) => out.push(t));
  return { assembler, out };
}

describe('TransactionAssembler', () => {
  it('groups MariaDB row events between GTID and XID, with the executed set after each and the bytes of its row events', () => {
    const { assembler, out } = assemble('1-1-9');
    assembler.push({ type: 'gtid', gtid: '1-1-10', timestamp: 1000 });
    assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 't', columns, rows: [{ id: 1 }, { id: 2 }], timestamp: 1000, bytes: 40 });
    assembler.push({ type: 'rows', kind: 'update', schema: 's', table: 't', columns, rows: [{ before: { id: 1 }, after: { id: 3 } }], timestamp: 1000, bytes: 30 });
    expect(out).toHaveLength(0);
    assembler.push({ type: 'xid', timestamp: 2000, nextPosition: 500 });
    expect(out).toEqual([
      {
        gtid: '1-1-10',
        end: { file: 'bin.000001', pos: 500, gtidSet: '1-1-10' },
        timestamp: 2000,
        bytes: 70,
        changes: [
          { schema: 's', table: 't', kind: 'insert', columns, after: { id: 1 } },
          { schema: 's', table: 't', kind: 'insert', columns, after: { id: 2 } },
          { schema: 's', table: 't', kind: 'update', columns, before: { id: 1 }, after: { id: 3 } },
        ],
      },
    ]);
  });

  it('makes a standalone statement its own transaction and follows rotation', () => {
    const { assembler, out } = assemble('');
    assembler.push({ type: 'rotate', file: 'bin.000002' });
    assembler.push({ type: 'gtid', gtid: '0-1-4', timestamp: 5 });
    assembler.push({ type: 'query', sql: 'ALTER TABLE t ADD c INT', schema: 's', timestamp: 5, nextPosition: 90 });
    expect(out).toEqual([{ gtid: '0-1-4', end: { file: 'bin.000002', pos: 90, gtidSet: '0-1-4' }, timestamp: 5, changes: [], ddl: { schema: 's', sql: 'ALTER TABLE t ADD c INT' } }]);
  });

  it('handles MySQL-style BEGIN ... COMMIT without GTIDs', () => {
    const { assembler, out } = assemble();
    assembler.push({ type: 'query', sql: 'BEGIN', schema: '', timestamp: 1, nextPosition: 10 });
    assembler.push({ type: 'rows', kind: 'delete', schema: 's', table: 't', columns, rows: [{ id: 7 }], timestamp: 1 });
    assembler.push({ type: 'query', sql: 'COMMIT', schema: '', timestamp: 1, nextPosition: 40 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ end: { file: 'bin.000001', pos: 40 }, changes: [{ kind: 'delete', before: { id: 7 } }] });
    expect(out[0]?.end.gtidSet).toBeUndefined();
  });

  it('refuses rows outside a transaction and XA transactions', () => {
    const { assembler } = assemble();
    expect(() => assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 't', columns, rows: [{ id: 1 }], timestamp: 1 })).toThrow(/outside a transaction/);
    expect(() => assembler.push({ type: 'query', sql: "XA START X'7831',X'',1", schema: '', timestamp: 1, nextPosition: 1 })).toThrow(expect.objectContaining({ code: 'FERRY_ERR_BINLOG_XA' }));
  });
});

describe('TransactionAssembler: CREATE TABLE ... SELECT', () => {
  it('keeps the statement and its rows in one transaction when the group ends with a commit', () => {
    const { assembler, out } = assemble('0-1-1');
    assembler.push({ type: 'gtid', gtid: '0-1-2', timestamp: 1, standalone: false });
    assembler.push({ type: 'query', sql: 'CREATE TABLE copy (id INT)', schema: 's', timestamp: 1, nextPosition: 50 });
    assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 'copy', columns, rows: [{ id: 1 }], timestamp: 1 });
    assembler.push({ type: 'query', sql: 'COMMIT', schema: 's', timestamp: 1, nextPosition: 90 });
    expect(out).toEqual([
      { gtid: '0-1-2', end: { file: 'bin.000001', pos: 90, gtidSet: '0-1-2' }, timestamp: 1, bytes: 0, ddl: { schema: 's', sql: 'CREATE TABLE copy (id INT)' }, changes: [{ schema: 's', table: 'copy', kind: 'insert', columns, after: { id: 1 } }] },
    ]);
  });
});

describe('TransactionAssembler: statements logged in one group', () => {
  it('keeps every statement of the group, in order, not only the last one', () => {
    const { assembler, out } = assemble('0-1-1');
    assembler.push({ type: 'gtid', gtid: '0-1-2', timestamp: 1, standalone: false });
    assembler.push({ type: 'query', sql: 'INSERT INTO orders VALUES (1)', schema: 's', timestamp: 1, nextPosition: 50 });
    assembler.push({ type: 'query', sql: 'INSERT INTO other VALUES (1)', schema: 'o', timestamp: 1, nextPosition: 70 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 90 });
    expect(out).toMatchObject([{ gtid: '0-1-2', ddl: { schema: 's', sql: 'INSERT INTO orders VALUES (1)' }, laterStatements: [{ schema: 'o', sql: 'INSERT INTO other VALUES (1)' }] }]);
  });
});

const gtid = (id: string, standalone = false): AssemblerEvent => ({ type: 'gtid', gtid: id, timestamp: 1, standalone });
const insert = (table: string, ...ids: number[]): AssemblerEvent => ({ type: 'rows', kind: 'insert', schema: 's', table, columns, rows: ids.map((id) => ({ id })), timestamp: 1, bytes: 10 * ids.length });
const query = (sql: string, nextPosition = 0): AssemblerEvent => ({ type: 'query', sql, schema: 's', timestamp: 1, nextPosition });
const xid = (nextPosition: number): AssemblerEvent => ({ type: 'xid', timestamp: 1, nextPosition });
const ids = (transaction: SourceTransaction | undefined): unknown[] => (transaction?.changes ?? []).map((change) => change.after?.id);

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('TransactionAssembler: statements inside a transaction (as MariaDB 10.11 logs them)', () => {
  it('drops the rows after a savepoint on ROLLBACK TO and keeps the rest, bytes included', () => {
    const { assembler, out } = assemble('0-7-4');
    for (const event of [gtid('0-7-5'), insert('i', 1), query('SAVEPOINT `s1`'), insert('i', 2), query('ROLLBACK TO `s1`'), insert('i', 3), xid(900)]) assembler.push(event);
    expect(out).toHaveLength(1);
    expect(ids(out[0])).toEqual([1, 3]);
    expect(out[0]).toMatchObject({ gtid: '0-7-5', bytes: 20, end: { pos: 900, gtidSet: '0-7-5' } });
    expect(out[0]?.ddl).toBeUndefined();
  });

  it('keeps savepoints nested: ROLLBACK TO an outer one drops the inner one, the same name replaces, RELEASE forgets', () => {
    const { assembler, out } = assemble();
    for (const event of [
      query('BEGIN'), insert('i', 1), query('SAVEPOINT a'), insert('i', 2), query('SAVEPOINT `b`'), insert('i', 3),
      query('ROLLBACK TO a'), insert('i', 4), query('SAVEPOINT A'), insert('i', 5), query('ROLLBACK TO SAVEPOINT `a`'),
      query('SAVEPOINT c'), insert('i', 6), query('RELEASE SAVEPOINT c'), query('COMMIT', 50),
    ]) assembler.push(event);
    expect(ids(out[0])).toEqual([1, 4, 6]);
    const again = assemble();
    for (const event of [query('BEGIN'), query('SAVEPOINT a'), query('SAVEPOINT b'), query('ROLLBACK TO a')]) again.assembler.push(event);
    expect(codeOf(() => again.assembler.push(query('ROLLBACK TO b')))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
  });

  it('stops on ROLLBACK TO a savepoint the binlog never set', () => {
    const { assembler } = assemble();
    assembler.push(gtid('0-7-1'));
    assembler.push(insert('i', 1));
    expect(codeOf(() => assembler.push(query('ROLLBACK TO `gone`', 70)))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
  });

  it('commits a non-transactional group that ends with COMMIT, and a row-less ROLLBACK as an empty transaction', () => {
    const { assembler, out } = assemble('0-7-3');
    for (const event of [gtid('0-7-4'), query('BEGIN'), insert('m', 1), query('COMMIT', 300), gtid('0-7-5'), query('BEGIN'), query('ROLLBACK', 400)]) assembler.push(event);
    expect(out.map((t) => [t.gtid, ids(t), t.end.gtidSet])).toEqual([['0-7-4', [1], '0-7-4'], ['0-7-5', [], '0-7-5']]);
  });

  it('stops on a ROLLBACK of a group that logged rows, never applying or dropping them in silence', () => {
    const { assembler, out } = assemble();
    for (const event of [gtid('0-7-9'), query('BEGIN'), insert('i', 1)]) assembler.push(event);
    expect(codeOf(() => assembler.push(query('ROLLBACK', 500)))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
    expect(out).toHaveLength(0);
  });

  it('stops on any other statement inside a transaction instead of dropping its rows', () => {
    const { assembler, out } = assemble();
    for (const event of [gtid('0-7-10'), insert('i', 1)]) assembler.push(event);
    expect(codeOf(() => assembler.push(query('CREATE TABLE c1 SELECT * FROM i', 80)))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
    const mysql = assemble();
    for (const event of [{ type: 'gtid', gtid: 'uuid:7', timestamp: 1 } as AssemblerEvent, query('BEGIN'), insert('i', 1)]) mysql.assembler.push(event);
    expect(codeOf(() => mysql.assembler.push(query('DROP TEMPORARY TABLE IF EXISTS tmp', 80)))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
    expect([...out, ...mysql.out]).toHaveLength(0);
  });

  it('still makes CREATE TABLE ... SELECT that opens its own group one transaction with its rows', () => {
    const { assembler, out } = assemble('0-7-8');
    for (const event of [gtid('0-7-9'), query('CREATE TABLE `c1` (id int)', 0), insert('c1', 1, 5), xid(800)]) assembler.push(event);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ gtid: '0-7-9', ddl: { sql: 'CREATE TABLE `c1` (id int)' }, end: { pos: 800 } });
    expect(ids(out[0])).toEqual([1, 5]);
  });

  it('stops when a GTID starts before the open transaction ended, and lets an empty one go', () => {
    const { assembler, out } = assemble();
    assembler.push(gtid('0-7-1'));
    assembler.push(insert('i', 1));
    expect(codeOf(() => assembler.push(gtid('0-7-2')))).toBe('FERRY_ERR_BINLOG_TRANSACTION');
    const bare = assemble();
    for (const event of [gtid('0-7-1'), gtid('0-7-2'), insert('i', 2), xid(40)]) bare.assembler.push(event);
    expect(bare.out.map((t) => [t.gtid, ids(t)])).toEqual([['0-7-2', [2]]]);
    expect(out).toHaveLength(0);
  });

  it('drops, and reports, a transaction cut by the end of its binlog file (a crash while writing it)', () => {
    const out: SourceTransaction[] = [];
    const dropped: unknown[] = [];
    const assembler = new TransactionAssembler('bin.000001', parseGtidSet('mariadb', '0-7-1'), (t) => out.push(t), (d) => dropped.push(d));
    for (const event of [gtid('0-7-2'), insert('i', 1), { type: 'rotate', file: 'bin.000002' } as AssemblerEvent, gtid('0-7-2'), insert('i', 9), xid(30)]) assembler.push(event);
    expect(dropped).toEqual([{ gtid: '0-7-2', changes: 1, reason: expect.stringContaining('bin.000001 ends inside the transaction') as unknown }]);
    expect(out.map((t) => [t.gtid, ids(t), t.end])).toEqual([['0-7-2', [9], { file: 'bin.000002', pos: 30, gtidSet: '0-7-2' }]]);
  });

  it('refuses a two-phase XA transaction with replicated rows, and an XA COMMIT whose prepared rows it never saw, with FERRY_ERR_BINLOG_XA', () => {
    const { assembler } = assemble();
    for (const event of [gtid('0-7-11'), insert('i', 1)]) assembler.push(event);
    expect(codeOf(() => assembler.push(query("XA END X'7831',X'',1", 60)))).toBe('FERRY_ERR_BINLOG_XA');
    const late = assemble();
    late.assembler.push(gtid('0-7-12', true));
    expect(codeOf(() => late.assembler.push(query("XA COMMIT X'7831',X'',1", 60)))).toBe('FERRY_ERR_BINLOG_XA');
    const start = assemble();
    start.assembler.push(gtid('0-7-13'));
    expect(codeOf(() => start.assembler.push(query("XA START X'7831',X'',1", 60)))).toBe('FERRY_ERR_BINLOG_XA');
  });

  it('passes over a two-phase XA transaction on tables no rule replicates, its XA COMMIT, and any XA ROLLBACK', () => {
    const out: SourceTransaction[] = [];
    const assembler = new TransactionAssembler('bin.000001', parseGtidSet('mariadb', '0-7-10'), (t) => out.push(t), () => {}, (_schema, table) => table !== 'other');
    for (const event of [gtid('0-7-11'), insert('other', 1), query("XA END X'7831',X'',1", 60), gtid('0-7-12', true), query("XA COMMIT X'7831',X'',1", 90)]) assembler.push(event);
    for (const event of [gtid('0-7-13', true), query("XA ROLLBACK X'7832',X'',1", 120)]) assembler.push(event);
    expect(out.map((t) => [t.gtid, t.changes.length, t.end.gtidSet])).toEqual([['0-7-11', 0, '0-7-11'], ['0-7-12', 0, '0-7-12'], ['0-7-13', 0, '0-7-13']]);
  });
});
