import { describe, expect, it } from 'vitest';
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
    expect(() => assembler.push({ type: 'query', sql: "XA START 'x'", schema: '', timestamp: 1, nextPosition: 1 })).toThrow(/XA transactions/);
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
