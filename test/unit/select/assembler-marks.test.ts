import { describe, expect, it } from 'vitest';
import { includeSchemaFilter } from '../../../node/select/binlog-reader.ts';
import { TransactionAssembler } from '../../../node/select/transaction-assembler.ts';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';

const columns: ColumnInfo[] = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];
const markColumns: ColumnInfo[] = [
  { name: 'pipeline', typeCode: 15, columnType: 'varchar(191)', charset: 'utf8mb4', unsigned: false },
  { name: 'worker', typeCode: 2, columnType: 'smallint(5) unsigned', charset: null, unsigned: true },
];
const markTable = { schema: '_ferry', table: 'checkpoints' };

function assemble() {
  const out: SourceTransaction[] = [];
  const assembler = new TransactionAssembler('bin.000001', undefined, (t) => out.push(t), () => {}, () => true, markTable);
  return { assembler, out };
}

describe('TransactionAssembler: marks', () => {
  it('records the pipeline of each checkpoint row in appliedBy, by column name, and never makes them changes', () => {
    const { assembler, out } = assemble();
    assembler.push({ type: 'gtid', gtid: '1-1-1', timestamp: 1 });
    assembler.push({ type: 'rows', kind: 'insert', schema: 's', table: 't', columns, rows: [{ id: 1 }], timestamp: 1, bytes: 10 });
    // An upsert of an existing row is an update: the after image names the pipeline.
    assembler.push({ type: 'rows', kind: 'update', schema: '_ferry', table: 'checkpoints', columns: markColumns, rows: [{ before: { worker: 0, pipeline: 'b-to-a' }, after: { worker: 0, pipeline: 'b-to-a' } }], timestamp: 1, bytes: 50 });
    assembler.push({ type: 'rows', kind: 'insert', schema: '_ferry', table: 'checkpoints', columns: markColumns, rows: [{ worker: 1, pipeline: 'b-to-a' }, { worker: 0, pipeline: 'x-to-a' }], timestamp: 1, bytes: 50 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    expect(out).toHaveLength(1);
    expect(out[0]!.appliedBy).toEqual(['b-to-a', 'x-to-a']);
    expect(out[0]!.changes).toEqual([{ schema: 's', table: 't', kind: 'insert', columns, after: { id: 1 }, before: undefined }]);
    expect(out[0]!.bytes).toBe(10);
  });

  it('leaves appliedBy absent on the application\'s transactions and on rows of other tables of the system schema', () => {
    const { assembler, out } = assemble();
    assembler.push({ type: 'gtid', gtid: '1-1-1', timestamp: 1 });
    assembler.push({ type: 'rows', kind: 'insert', schema: '_ferry', table: 'fences', columns: markColumns, rows: [{ pipeline: 'b-to-a', worker: 0 }], timestamp: 1 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    assembler.push({ type: 'gtid', gtid: '1-1-2', timestamp: 1 });
    // A deleted checkpoint row is a pipeline reset, not an applied transaction.
    assembler.push({ type: 'rows', kind: 'delete', schema: '_ferry', table: 'checkpoints', columns: markColumns, rows: [{ pipeline: 'b-to-a', worker: 0 }], timestamp: 1 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 200 });
    expect(out.map((t) => t.appliedBy)).toEqual([undefined, undefined]);
    expect(out[0]!.changes).toHaveLength(1);
    expect(out[1]!.changes).toHaveLength(0);
  });

  it('without a mark table, checkpoint rows are changes like any other (one-way pipelines)', () => {
    const out: SourceTransaction[] = [];
    const assembler = new TransactionAssembler('bin.000001', undefined, (t) => out.push(t));
    assembler.push({ type: 'gtid', gtid: '1-1-1', timestamp: 1 });
    assembler.push({ type: 'rows', kind: 'insert', schema: '_ferry', table: 'checkpoints', columns: markColumns, rows: [{ pipeline: 'b-to-a', worker: 0 }], timestamp: 1 });
    assembler.push({ type: 'xid', timestamp: 1, nextPosition: 100 });
    expect(out[0]!.appliedBy).toBeUndefined();
    expect(out[0]!.changes).toHaveLength(1);
  });

  it('refuses a checkpoint row whose pipeline column has no name (binlog_row_metadata not FULL)', () => {
    const { assembler } = assemble();
    assembler.push({ type: 'gtid', gtid: '1-1-1', timestamp: 1 });
    expect(() => assembler.push({ type: 'rows', kind: 'insert', schema: '_ferry', table: 'checkpoints', columns: markColumns, rows: [{ 0: 'b-to-a', 1: 0 }], timestamp: 1 })).toThrow(
      expect.objectContaining({ code: 'FERRY_ERR_BINLOG_UNSUPPORTED' }),
    );
  });
});

describe('includeSchemaFilter', () => {
  it('adds exactly the mark table of the system schema to the replicated schemas', () => {
    expect(includeSchemaFilter(['shop', 'crm'], markTable)).toEqual({ shop: true, crm: true, _ferry: ['checkpoints'] });
    expect(includeSchemaFilter(['shop'], undefined)).toEqual({ shop: true });
  });
});
