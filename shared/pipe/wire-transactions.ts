import type { ChangeKind, ColumnInfo, DdlStatement, Row, RowChange, SourceTransaction } from '../model/change.ts';
import { corrupt, type WireReader, type WireWriter } from './wire-buffer.ts';
import type { TableIdReader, TableIdWriter } from './wire-tables.ts';
import { readValue, writeValue } from './wire-values.ts';

/**
 * Row changes and transaction headers on the wire (the bodies of wire-format.ts). A change is
 * its table id (wire-tables.ts), one byte of kind and image forms, then its images. An image
 * whose keys are exactly the table's columns in order (what the binlog decoder builds) is its
 * values alone; any other row keeps its keys. The after image of an update sends only the
 * columns whose values differ from the before image (a bitmap, then those values): with
 * binlog_row_image=FULL most of an update's after image repeats its before image. Absent
 * images and images present as undefined stay apart, so a decoded change equals the encoded
 * one property for property.
 */

/** A source transaction without its changes: what the last piece of a large one carries. */
export type TransactionHeader = Omit<SourceTransaction, 'changes'>;

const KINDS: ChangeKind[] = ['insert', 'update', 'delete'];
const KIND_IDS: Record<ChangeKind, number> = { insert: 0, update: 1, delete: 2 };

/** Image forms, 3 bits each. */
const Form = {
  Absent: 0,
  Undefined: 1,
  Positional: 2,
  Keyed: 3,
  /** After image only, when the before image is positional: changed columns only. */
  Delta: 4,
} as const;
type Form = (typeof Form)[keyof typeof Form];

function formOf(change: RowChange, image: 'before' | 'after'): Form {
  if (!(image in change)) return Form.Absent;
  const row = change[image];
  if (row === undefined) return Form.Undefined;
  return isPositional(row, change.columns) ? Form.Positional : Form.Keyed;
}

function isPositional(row: Row, columns: ColumnInfo[]): boolean {
  let i = 0;
  for (const key in row) {
    if (i >= columns.length || key !== columns[i]!.name || !Object.hasOwn(row, key)) return false;
    i++;
  }
  return i === columns.length;
}

export function writeChanges(out: WireWriter, tables: TableIdWriter, changes: RowChange[], from = 0, to = changes.length): void {
  out.uvarint(to - from);
  for (let c = from; c < to; c++) writeChange(out, tables, changes[c]!);
}

export function writeChange(out: WireWriter, tables: TableIdWriter, change: RowChange): void {
  tables.write(out, change.schema, change.table, change.columns);
  const kind = KIND_IDS[change.kind];
  if (kind === undefined) throw corrupt(`cannot encode change kind '${String(change.kind)}'`);
  const before = formOf(change, 'before');
  let after: Form = formOf(change, 'after');
  if (before === Form.Positional && after === Form.Positional) after = Form.Delta;
  out.byte(kind | (before << 2) | (after << 5));
  writeImage(out, change.before, before, change.columns);
  if (after === Form.Delta) writeDelta(out, change.before!, change.after!, change.columns);
  else writeImage(out, change.after, after, change.columns);
}

/** Same value for the delta: primitives by Object.is (-0 and NaN kept apart), Buffers and Dates by content. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) && (typeof a !== 'object' || a === null)) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  return false;
}

/** A copy of a value taken from the before image, so the two images share no mutable object. */
function copyOf(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Date) return new Date(value.getTime());
  return value;
}

function writeDelta(out: WireWriter, before: Row, after: Row, columns: ColumnInfo[]): void {
  const bitmap = Buffer.alloc((columns.length + 7) >> 3);
  const changed: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!.name;
    if (!same(before[name], after[name])) {
      bitmap[i >> 3] = bitmap[i >> 3]! | (1 << (i & 7));
      changed.push(i);
    }
  }
  out.fixed(bitmap);
  for (const i of changed) writeValue(out, after[columns[i]!.name]);
}

function writeImage(out: WireWriter, row: Row | undefined, form: Form, columns: ColumnInfo[]): void {
  if (form === Form.Positional) {
    for (let i = 0; i < columns.length; i++) writeValue(out, row![columns[i]!.name]);
  } else if (form === Form.Keyed) {
    const keys = Object.keys(row!);
    out.uvarint(keys.length);
    for (const key of keys) {
      out.string(key);
      writeValue(out, row![key]);
    }
  }
}

export function readChanges(input: WireReader, tables: TableIdReader): RowChange[] {
  const count = input.count('a change count');
  const changes = new Array<RowChange>(count);
  for (let c = 0; c < count; c++) changes[c] = readChange(input, tables);
  return changes;
}

function readChange(input: WireReader, tables: TableIdReader): RowChange {
  const { schema, table, columns } = tables.read(input);
  const flags = input.byte('change flags');
  const kind = KINDS[flags & 3];
  const before = ((flags >> 2) & 7) as Form;
  const after = (flags >> 5) as Form;
  if (kind === undefined || before > Form.Keyed || after > Form.Delta || (after === Form.Delta && before !== Form.Positional)) throw corrupt(`change flags ${flags}`);
  const change: RowChange = { schema, table, kind, columns };
  readImage(input, change, 'before', before);
  readImage(input, change, 'after', after);
  return change;
}

function readImage(input: WireReader, change: RowChange, image: 'before' | 'after', form: Form): void {
  switch (form) {
    case Form.Absent:
      return;
    case Form.Undefined:
      change[image] = undefined;
      return;
    case Form.Positional: {
      const row: Row = {};
      for (const column of change.columns) row[column.name] = readValue(input);
      change[image] = row;
      return;
    }
    case Form.Keyed: {
      const count = input.count('a row size');
      const row: Row = {};
      for (let i = 0; i < count; i++) {
        const key = input.string('a column name');
        Object.defineProperty(row, key, { value: readValue(input), enumerable: true, writable: true, configurable: true });
      }
      change[image] = row;
      return;
    }
    case Form.Delta: {
      const base = change.before!;
      const bitmap = input.fixed((change.columns.length + 7) >> 3, 'a changed-column bitmap');
      const row: Row = {};
      change.columns.forEach((column, i) => {
        row[column.name] = (bitmap[i >> 3]! & (1 << (i & 7))) !== 0 ? readValue(input) : copyOf(base[column.name]);
      });
      change[image] = row;
    }
  }
}

/** Header flags: which optional fields follow. */
const Has = {
  Gtid: 1,
  GtidSet: 2,
  Bytes: 4,
  Ddl: 8,
  LaterStatements: 16,
  /** SourceTransaction.echo: no field follows. */
  Echo: 32,
} as const;
type Has = (typeof Has)[keyof typeof Has];

export function writeHeader(out: WireWriter, header: TransactionHeader): void {
  const flags: number = (header.gtid !== undefined ? Has.Gtid : 0) | (header.end.gtidSet !== undefined ? Has.GtidSet : 0) | (header.bytes !== undefined ? Has.Bytes : 0) | (header.ddl !== undefined ? Has.Ddl : 0) | (header.laterStatements !== undefined ? Has.LaterStatements : 0) | (header.echo === true ? Has.Echo : 0);
  out.byte(flags);
  if (header.gtid !== undefined) out.string(header.gtid);
  out.string(header.end.file);
  out.uvarint(header.end.pos);
  if (header.end.gtidSet !== undefined) out.string(header.end.gtidSet);
  // A number, not assumed whole: the model only promises milliseconds.
  writeValue(out, header.timestamp);
  if (header.bytes !== undefined) out.uvarint(header.bytes);
  if (header.ddl !== undefined) writeStatement(out, header.ddl);
  if (header.laterStatements !== undefined) {
    out.uvarint(header.laterStatements.length);
    for (const statement of header.laterStatements) writeStatement(out, statement);
  }
}

export function readHeader(input: WireReader): TransactionHeader {
  const flags = input.byte('transaction flags');
  if (flags >= 64) throw corrupt(`transaction flags ${flags}`);
  const gtid = (flags & Has.Gtid) !== 0 ? input.string('a gtid') : undefined;
  const file = input.string('a binlog file name');
  const pos = input.uvarint('a binlog position');
  const gtidSet = (flags & Has.GtidSet) !== 0 ? input.string('a gtid set') : undefined;
  const timestamp = readValue(input);
  if (typeof timestamp !== 'number') throw corrupt(`transaction timestamp is a ${typeof timestamp}`);
  const header: TransactionHeader = {} as TransactionHeader;
  if (gtid !== undefined) header.gtid = gtid;
  header.end = gtidSet !== undefined ? { file, pos, gtidSet } : { file, pos };
  header.timestamp = timestamp;
  if ((flags & Has.Bytes) !== 0) header.bytes = input.uvarint('transaction bytes');
  if ((flags & Has.Ddl) !== 0) header.ddl = readStatement(input);
  if ((flags & Has.LaterStatements) !== 0) {
    const count = input.count('a statement count');
    const statements: DdlStatement[] = [];
    for (let i = 0; i < count; i++) statements.push(readStatement(input));
    header.laterStatements = statements;
  }
  if ((flags & Has.Echo) !== 0) header.echo = true;
  return header;
}

function writeStatement(out: WireWriter, statement: DdlStatement): void {
  out.string(statement.schema);
  out.string(statement.sql);
}

function readStatement(input: WireReader): DdlStatement {
  return { schema: input.string('a statement schema'), sql: input.string('a statement') };
}

export function writeTransaction(out: WireWriter, tables: TableIdWriter, transaction: SourceTransaction): void {
  writeHeader(out, transaction);
  writeChanges(out, tables, transaction.changes);
}

export function readTransaction(input: WireReader, tables: TableIdReader): SourceTransaction {
  const header = readHeader(input);
  return { ...header, changes: readChanges(input, tables) };
}
