import { describe, expect, it } from 'vitest';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';
import { readFormatDescription, tableMapNames } from '../../../shared/mysql/binlog-events.ts';
import { replayRefusal } from '../../../node/load/replay-eligibility.ts';
import { replayByteLimit, replayStatements } from '../../../node/load/replay-statements.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';
import { replayImageOf } from '../../../node/transform/replay-image.ts';

import { FORMAT, INSERT_RP_T as ROWS, MAP_RP_T as MAP } from './replay-fixture.ts';

const format = readFormatDescription(FORMAT);

/** A copy of the row event with STMT_END_F cleared: a statement's row event that is not its last. */
function notLast(event: Buffer): Buffer {
  const copy = Buffer.from(event);
  copy.writeUInt16LE(0, 25);
  return copy;
}

const decode = (statement: string): Buffer => Buffer.from(statement.slice(statement.indexOf("BINLOG '") + "BINLOG '".length, -1), 'base64');

describe('replayStatements', () => {
  it('starts every statement with the Format_description and splits only after a statement\'s last row event', () => {
    // Three source statements: map+rows, map+rows+rows (two row events), map+rows.
    const events = [MAP, ROWS, MAP, notLast(ROWS), ROWS, MAP, ROWS];
    const all = replayStatements({ format: FORMAT, events }, format, 1 << 20, 'p-1')!;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatch(/^\/\* ferry replay p-1 \*\/ BINLOG '/);
    expect(decode(all[0]!).equals(Buffer.concat([FORMAT, ...events]))).toBe(true);
    // Room for the Format_description and two row events: the 3-event statement goes alone.
    const limit = FORMAT.length + MAP.length + 2 * ROWS.length;
    const split = replayStatements({ format: FORMAT, events }, format, limit)!;
    expect(split.map((statement) => decode(statement).length - FORMAT.length)).toEqual([MAP.length + ROWS.length, MAP.length + 2 * ROWS.length, MAP.length + ROWS.length]);
    for (const statement of split) expect(decode(statement).subarray(0, FORMAT.length).equals(FORMAT)).toBe(true);
  });

  it('gives up (SQL) when one statement does not fit, or the events end inside a statement', () => {
    expect(replayStatements({ format: FORMAT, events: [MAP, notLast(ROWS), ROWS] }, format, FORMAT.length + MAP.length + ROWS.length)).toBeUndefined();
    expect(replayStatements({ format: FORMAT, events: [MAP, notLast(ROWS)] }, format, 1 << 20)).toBeUndefined();
  });

  it('keeps a statement under max_allowed_packet once in base64', () => {
    const limit = replayByteLimit(16 * 1024 * 1024);
    expect(Math.ceil(limit / 3) * 4 + 64).toBeLessThan(16 * 1024 * 1024);
  });
});

const column = (name: string, columnType: string, charset: string | null = null): ColumnInfo => ({ name, typeCode: 0, columnType, charset, unsigned: false });
// As zongji describes them from the table map: no display widths.
const source = [column('id', 'int'), column('v', 'varchar(40)', 'utf8mb4')];
const target = (definition: TargetTable['definition'], triggers = false): TargetTable => ({
  schema: 's', table: 't', key: ['id'], uniqueKeys: [{ columns: ['id'] }], writable: new Set(), columns: new Set(), definition, triggers,
});

describe('replayRefusal', () => {
  it('allows the same columns, names in any case, and extra columns at the end', () => {
    // Display widths, ZEROFILL and FLOAT's (M,D) are in the table definition only: they store the same bytes.
    expect(replayRefusal(target([{ name: 'id', type: 'int(10) zerofill', charset: null }, { name: 'v', type: 'varchar(40)', charset: 'utf8mb4' }]), source)).toBeUndefined();
    expect(replayRefusal(target([{ name: 'f', type: 'float(7,3)', charset: null }]), [column('f', 'float')])).toBeUndefined();
    // information_schema is utf8mb3: it shows '?' for a value's 4-byte character.
    expect(replayRefusal(target([{ name: 'e', type: "enum('a','?')", charset: 'utf8mb4' }]), [column('e', "enum('a','😀')", 'utf8mb4')])).toBeUndefined();
    expect(replayRefusal(target([{ name: 'ID', type: 'int(11)', charset: null }, { name: 'v', type: 'varchar(40)', charset: 'utf8mb4' }]), source)).toBeUndefined();
    expect(replayRefusal(target([{ name: 'id', type: 'int(11)', charset: null }, { name: 'v', type: 'varchar(40)', charset: 'utf8mb4' }, { name: 'x', type: 'int(11)', charset: null }]), source)).toBeUndefined();
  });

  it('refuses triggers, fewer or other columns, another type or charset', () => {
    const same = [{ name: 'id', type: 'int(11)', charset: null }, { name: 'v', type: 'varchar(40)', charset: 'utf8mb4' }];
    expect(replayRefusal(target(same, true), source)).toMatch(/triggers/);
    expect(replayRefusal(target(same.slice(0, 1)), source)).toMatch(/1 columns/);
    expect(replayRefusal(target([same[1]!, same[0]!]), source)).toMatch(/column 1/);
    expect(replayRefusal(target([{ name: 'id', type: 'bigint(20)', charset: null }, same[1]!]), source)).toMatch(/bigint/);
    expect(replayRefusal(target([same[0]!, { name: 'v', type: 'varchar(40)', charset: 'latin1' }]), source)).toMatch(/latin1/);
    expect(replayRefusal(target([{ name: 'x', type: 'int(11)', charset: null }, ...same]), source)).toMatch(/'x'/);
  });
});

describe('replayImageOf (Transform)', () => {
  const transaction = (events: Buffer[], extra: Partial<SourceTransaction> = {}): SourceTransaction => ({
    end: { file: 'f', pos: 4 }, timestamp: 0, changes: [{ schema: 'rp', table: 't', kind: 'insert', after: { id: 1, v: 'a' }, columns: source }], replay: { format: FORMAT, events }, ...extra,
  });

  it('renames table maps to the target names and lists each target table once with its source columns', () => {
    const mapping = compileTableMapping([{ source: 'rp.t', target: 'other.t2' }]);
    const result = replayImageOf([transaction([MAP, ROWS]), transaction([MAP, ROWS])], mapping)!;
    expect(result.replay.events).toHaveLength(4);
    expect(tableMapNames(result.replay.events[0]!, format)).toEqual({ schema: 'other', table: 't2' });
    expect(result.replay.events[1]).toBe(ROWS);
    expect(result.tables).toEqual([{ schema: 'other', table: 't2', columns: source }]);
    // Unrenamed: the events as they came.
    expect(replayImageOf([transaction([MAP, ROWS])], compileTableMapping(['rp.*']))!.replay.events[0]).toBe(MAP);
  });

  it('passes over a transaction of which nothing reaches the target (tables no rule replicates)', () => {
    const result = replayImageOf([{ end: { file: 'f', pos: 1 }, timestamp: 0, changes: [] }, transaction([MAP, ROWS])], compileTableMapping(['rp.*']))!;
    expect(result.replay.events).toEqual([MAP, ROWS]);
    expect(replayImageOf([{ end: { file: 'f', pos: 1 }, timestamp: 0, changes: [] }], compileTableMapping(['rp.*']))).toBeUndefined();
  });

  it('keeps SQL for a column rule, a transaction without events, or DDL', () => {
    expect(replayImageOf([transaction([MAP, ROWS])], compileTableMapping([{ source: 'rp.t', columns: { exclude: ['v'] } }]))).toBeUndefined();
    expect(replayImageOf([transaction([MAP, ROWS]), { ...transaction([]), replay: undefined }], compileTableMapping(['rp.*']))).toBeUndefined();
    expect(replayImageOf([transaction([MAP, ROWS], { ddl: { schema: 'rp', sql: 'CREATE TABLE x SELECT 1' } })], compileTableMapping(['rp.*']))).toBeUndefined();
  });
});
