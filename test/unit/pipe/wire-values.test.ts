import { describe, expect, it } from 'vitest';
import type { RowChange, SourceTransaction } from '../../../shared/model/change.ts';
import { WireDecoder, WireEncoder } from '../../../shared/pipe/index.ts';
import { column, seeded } from './wire-samples.ts';

/** Random values of every JavaScript type the binlog decoder gives, per generator. */
type Generator = (random: () => number) => unknown;

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: () => number, max: number): number => Math.floor(random() * max);

function text(random: () => number, maxLength: number): string {
  const pieces = ['a', 'Z', '0', ' ', "'", '\\', '\0', '\n', 'é', 'ß', '中', '😀', '\uFFFD', '\u{10FFFF}', '-', ':', '.'];
  let out = '';
  const length = int(random, maxLength + 1);
  for (let i = 0; i < length; i++) out += pick(random, pieces);
  return out;
}

function json(random: () => number, depth: number): unknown {
  const roll = int(random, depth > 3 ? 5 : 8);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return (random() - 0.5) * 1e6;
    case 3:
      return int(random, 1000);
    case 4:
      return text(random, 10);
    case 5:
      return Array.from({ length: int(random, 4) }, () => json(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = int(random, 4); i > 0; i--) object[text(random, 6)] = json(random, depth + 1);
      return object;
    }
  }
}

const GENERATORS: Record<string, Generator> = {
  'safe integers (TINYINT..BIGINT within 2^53)': (r) => pick(r, [0, 1, -1, 127, -128, 255, 65535, -8388608, 2147483647, -2147483648, 4294967295, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52, -(2 ** 52), 2 ** 52 - 1, 1 - 2 ** 52, Math.floor((r() - 0.5) * 2 ** 53), int(r, 300)]),
  'floats (FLOAT, DOUBLE), -0, NaN, infinities': (r) => pick(r, [-0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 2 ** 53, -(2 ** 60), 0.1, Math.fround(r() * 1000), (r() - 0.5) * 1e300, r()]),
  'BIGINT beyond 2^53 as exact text': (r) => pick(r, ['9007199254740993', '-9223372036854775808', '18446744073709551615', String(BigInt(int(r, 2 ** 31)) * 2n ** 33n)]),
  bigints: (r) => pick(r, [0n, 1n, -1n, 255n, 256n, -(2n ** 63n), 2n ** 64n - 1n, BigInt(int(r, 2 ** 31)) * 2n ** 40n, -BigInt(int(r, 2 ** 31)) * 2n ** 70n - 3n]),
  'DECIMAL as exact text': (r) => `${r() < 0.5 ? '-' : ''}${int(r, 1e9)}.${String(int(r, 1e6)).padStart(6, '0')}`,
  'temporal text (DATE, DATETIME(6), TIME, zero dates)': (r) => pick(r, ['0000-00-00', '0000-00-00 00:00:00.000000', '2026-12-07 08:12:53.123456', '-838:59:59.000000', '2021-02-31', `20${String(int(r, 100)).padStart(2, '0')}-01-01 00:00:0${int(r, 10)}`]),
  'text (CHAR, VARCHAR, TEXT, ENUM, SET, JSON text, UUID)': (r) => text(r, pick(r, [0, 5, 60, 400])),
  'strings with lone surrogates (UTF-16 columns)': (r) => pick(r, ['\uD800', 'a\uDC00b', '\uDBFF\uDBFF', `${text(r, 5)}\uD83D`]),
  'Buffers (BINARY, BLOB, BIT, VECTOR)': (r) => Buffer.from(Array.from({ length: pick(r, [0, 1, 8, 16, 200, 3000]) }, () => int(r, 256))),
  'Dates (dateStrings off), invalid ones too': (r) => pick(r, [new Date(0), new Date(-62167219200000), new Date(253402300799999), new Date(Number.NaN), new Date(Math.floor(r() * 2e12))]),
  'null, undefined (ENUM index 0), booleans': (r) => pick(r, [null, undefined, true, false]),
  'parsed JSON and GEOMETRY (objects and arrays)': (r) => pick(r, [json(r, 0), { x: r(), y: -r() }, [{ x: 1, y: 2 }, { x: 3.5, y: -0 }], JSON.parse('{"__proto__": {"a": 1}, "b": [1, "2", null]}') as unknown]),
};

function transactionOf(values: unknown[], seq: number): SourceTransaction {
  const columns = values.map((_, i) => column(`v${i}`, 252, 'longtext', 'utf8mb4'));
  const row = Object.fromEntries(values.map((value, i) => [`v${i}`, value]));
  const changes: RowChange[] = [
    { schema: 's', table: 't', kind: 'insert', columns, before: undefined, after: row },
    { schema: 's', table: 't', kind: 'update', columns, before: row, after: { ...row } },
    { schema: 's', table: 't', kind: 'delete', columns, before: row },
  ];
  return { end: { file: 'bin.000001', pos: 4 + seq }, timestamp: 1_700_000_000_000 + seq, changes };
}

describe('pipe wire format: every value type round-trips exactly', () => {
  for (const [label, generate] of Object.entries(GENERATORS)) {
    for (const compression of ['none', 'deflate-1', 'brotli-4']) {
      it(`${label}, ${compression}: 20 random rows of 8 values decode to equal values of the same types`, () => {
        const random = seeded(label.length * 7919 + compression.length);
        const encoder = new WireEncoder({ compression });
        const decoder = new WireDecoder();
        for (let seq = 0; seq < 20; seq++) {
          const values = Array.from({ length: 8 }, () => generate(random));
          const batch = [transactionOf(values, seq)];
          const message = decoder.decode(encoder.encodeBatch(seq, batch));
          expect(message).toStrictEqual({ kind: 'batch', seq, transactions: batch });
          if (message.kind !== 'batch') throw new Error('not a batch');
          // Object.is: -0 stays -0, NaN stays NaN; Buffers stay Buffers, bigints bigints.
          const decoded = message.transactions[0]!.changes[0]!.after!;
          values.forEach((value, i) => {
            const got = decoded[`v${i}`];
            if (typeof value === 'number') expect(Object.is(got, value), `${String(value)} came back as ${String(got)}`).toBe(true);
            else if (value instanceof Date) expect(Object.is((got as Date).getTime(), value.getTime())).toBe(true);
            else expect(typeof got).toBe(typeof value);
          });
        }
      });
    }
  }

  it('a row whose keys are not the columns in order keeps its own keys (and an integer-named column)', () => {
    const columns = [column('b', 3, 'int'), column('a', 3, 'int'), column('7', 3, 'int')];
    const changes: RowChange[] = [
      { schema: 's', table: 't', kind: 'insert', columns, after: { a: 1, b: 2, 7: 3 } },
      { schema: 's', table: 't', kind: 'insert', columns, after: { b: 1 } },
      { schema: 's', table: 't', kind: 'insert', columns, after: { b: 1, a: 2, 7: 3, extra: 'x' } },
    ];
    const batch: SourceTransaction[] = [{ gtid: '0-1-1', end: { file: 'b.1', pos: 9, gtidSet: '0-1-1' }, timestamp: 1, changes, bytes: 3, ddl: { schema: 's', sql: 'CREATE TABLE t2 SELECT 1' }, laterStatements: [{ schema: '', sql: 'INSERT INTO s.t2 VALUES (2)' }] }];
    const message = new WireDecoder().decode(new WireEncoder().encodeBatch(1, batch));
    expect(message).toStrictEqual({ kind: 'batch', seq: 1, transactions: batch });
  });

  it("an update's after image goes as the columns that differ from the before image, and decodes whole", () => {
    const names = ['i', 'z', 'n', 'b', 'b2', 'd', 's', 'o'];
    const columns = names.map((name) => column(name, 252, 'longtext', 'utf8mb4'));
    const before = { i: 1, z: 0, n: NaN, b: Buffer.from('ab'), b2: Buffer.from('x'), d: new Date(5), s: 'same', o: { x: 1 } };
    const after = { i: 2, z: -0, n: NaN, b: Buffer.from('ab'), b2: Buffer.from('y'), d: new Date(5), s: 'same', o: { x: 1 } };
    const unchanged = { ...before };
    const changes: RowChange[] = [
      { schema: 's', table: 't', kind: 'update', columns, before, after },
      { schema: 's', table: 't', kind: 'update', columns, before, after: unchanged },
    ];
    const batch: SourceTransaction[] = [{ end: { file: 'b.1', pos: 9 }, timestamp: 1, changes }];
    const encoder = new WireEncoder({ compression: 'none' });
    const message = new WireDecoder().decode(encoder.encodeBatch(1, batch));
    expect(message).toStrictEqual({ kind: 'batch', seq: 1, transactions: batch });
    if (message.kind !== 'batch') throw new Error('not a batch');
    const [changed, same] = message.transactions[0]!.changes;
    expect(Object.is(changed!.after!.z, -0)).toBe(true);
    // Values copied from the before image are copies, not shared objects.
    expect(same!.after!.b).not.toBe(same!.before!.b);
    expect(same!.after!.d).not.toBe(same!.before!.d);
    // Unchanged after image: a bitmap and the one object value (objects are always sent).
    const size = (change: RowChange): number => new WireEncoder({ compression: 'none' }).encodeBatch(1, [{ ...batch[0]!, changes: [change] }]).length;
    const beforeOnly = size({ ...changes[1]!, kind: 'delete', after: undefined });
    expect(size(changes[1]!)).toBeLessThan(beforeOnly + 15);
  });

  it('a value of no binlog type (a class instance, a function) is FERRY_ERR_PIPE_WIRE_VALUE', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    for (const value of [new Money(3), () => 1, Symbol('s'), new Map()]) {
      expect(() => new WireEncoder().encodeBatch(1, [transactionOf([value], 1)])).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_WIRE_VALUE' }));
    }
  });
});
