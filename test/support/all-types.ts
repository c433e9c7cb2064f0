import mysql, { type Connection } from 'mysql2/promise';
import { seededRandom } from './workload.ts';

/**
 * The all-types table and its workloads (test/integration/replication/all-types.test.ts):
 * every MySQL type, hand-picked extreme rows, random reproducible traffic, and key tables
 * whose keys only exact comparison tells apart. Shared with the replay proof
 * (test/integration/select/replay-capture.test.ts).
 */

export const ALL_TYPES = `CREATE TABLE all_types (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  dec_wide DECIMAL(65,30), dec_money DECIMAL(10,2), dec_int DECIMAL(30,0), f FLOAT, d DOUBLE,
  dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL DEFAULT NULL, ts0 TIMESTAMP NULL DEFAULT NULL,
  ts3 TIMESTAMP(3) NULL DEFAULT NULL, tm TIME, tm6 TIME(6), yr YEAR,
  ch CHAR(10), vc VARCHAR(100), tx TEXT, mtx MEDIUMTEXT,
  bn BINARY(8), vb VARBINARY(300), bl BLOB, b1 BIT(1), b13 BIT(13), b64 BIT(64),
  en ENUM('a','b','ü','😀'), st SET('x','y','z','😀'), js JSON,
  g_stored BIGINT AS (i + 1) STORED,
  g_virtual VARCHAR(110) AS (CONCAT(vc, '!')) VIRTUAL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

/** Columns a statement may write (all but the key and the generated ones). */
export const WRITABLE = [
  'ti', 'tiu', 'si', 'siu', 'mi', 'miu', 'i', 'iu', 'bi', 'biu', 'dec_wide', 'dec_money', 'dec_int', 'f', 'd',
  'dt', 'dtm', 'dtm0', 'ts', 'ts0', 'ts3', 'tm', 'tm6', 'yr', 'ch', 'vc', 'tx', 'mtx', 'bn', 'vb', 'bl', 'b1', 'b13', 'b64', 'en', 'st', 'js',
] as const;
export type Column = (typeof WRITABLE)[number];

/**
 * Tables whose primary key is a DECIMAL, a BIGINT UNSIGNED, a VARBINARY, or all three, with
 * six key values each that only exact comparison tells apart (beyond DOUBLE precision, case,
 * trailing bytes). Index 5 is a spare key used to swap rows.
 */
export const KEY_TABLES: Array<{ name: string; columns: Array<[string, string]>; keys: string[][] }> = [
  {
    name: 'key_dec',
    columns: [['k', 'DECIMAL(65,30) NOT NULL']],
    keys: [
      ['1.000000000000000000000000000001'], ['1.000000000000000000000000000002'], ['1'], ['0.999999999999999999999999999999'],
      ['-1.000000000000000000000000000001'], ['99999999999999999999999999999999999.999999999999999999999999999999'],
    ],
  },
  {
    name: 'key_big',
    columns: [['k', 'BIGINT UNSIGNED NOT NULL']],
    keys: [['18446744073709551615'], ['18446744073709551614'], ['9007199254740993'], ['9007199254740992'], ['0'], ['9223372036854775808']],
  },
  {
    name: 'key_bin',
    columns: [['k', 'VARBINARY(16) NOT NULL']],
    keys: [["X'00'"], ["X'0000'"], ["X''"], ["X'61'"], ["X'41'"], ["X'6120'"]],
  },
  {
    name: 'key_multi',
    columns: [['kb', 'BIGINT UNSIGNED NOT NULL'], ['kd', 'DECIMAL(65,30) NOT NULL'], ['kv', 'VARBINARY(16) NOT NULL']],
    keys: [
      ['18446744073709551615', '1.000000000000000000000000000001', "X'00'"],
      ['18446744073709551615', '1.000000000000000000000000000001', "X'0000'"],
      ['18446744073709551615', '1', "X'00'"],
      ['18446744073709551614', '1.000000000000000000000000000001', "X'00'"],
      ['9007199254740993', '0.000000000000000000000000000001', "X'ff'"],
      ['9007199254740992', '0.000000000000000000000000000001', "X'ff'"],
    ],
  },
];

export const keyTableSql = (table: (typeof KEY_TABLES)[number]): string =>
  `CREATE TABLE ${table.name} (${table.columns.map(([name, type]) => `${name} ${type}`).join(', ')}, v VARCHAR(20) NOT NULL, n INT NULL, ` +
  `PRIMARY KEY (${table.columns.map(([name]) => name).join(', ')}))`;

export const SOURCE_ZONE = '+05:45';
export const SOURCE_OFFSET_SECONDS = (5 * 60 + 45) * 60;

/** Hand-picked rows: extremes, zero values, all-NULL, awkward text and bytes. */
export const FIXED_ROWS: Array<Partial<Record<Column | 'id', string>>> = [
  {
    id: '0', ti: '0', i: '0', bi: '9007199254740993', biu: '9007199254740992', dec_wide: '0.000000000000000000000000000001', dec_money: '-0.01',
    dec_int: '-999999999999999999999999999999', f: '0.1', d: '0.1e0 + 0.2e0', dt: "'0000-00-00'", dtm: "'0000-00-00 00:00:00'", dtm0: "'2024-02-29 12:00:00'",
    ts: "'0000-00-00 00:00:00'", ts0: "'0000-00-00 00:00:00'", ts3: "'1970-01-01 05:45:01.001'", tm: "'-00:00:01'", tm6: "'-00:00:00.000001'", yr: '0',
    ch: "'ab  '", vc: "'trailing  '", tx: "'quotes '' \" \\\\ \\n \\t \\0 % _ ?'", mtx: "''", bn: "X'00ff7f80'", vb: "X'00'", bl: "X''",
    b1: "b'0'", b13: "b'1000000000001'", b64: "b'1'", en: "'b'", st: "'z,x'",
    js: `'{"a": 1.0, "big": 123456789012345678901234567890, "neg": -0.0, "s": "é 😀", "arr": [1, 2.50, null, true, 1e2]}'`,
  },
  {
    id: '1', ti: '127', tiu: '255', si: '32767', siu: '65535', mi: '8388607', miu: '16777215', i: '2147483647', iu: '4294967295',
    bi: '9223372036854775807', biu: '18446744073709551615', dec_wide: '99999999999999999999999999999999999.999999999999999999999999999999',
    dec_money: '99999999.99', dec_int: '999999999999999999999999999999', f: '3.4028234663852886e38', d: '1.7976931348623157e308',
    dt: "'9999-12-31'", dtm: "'9999-12-31 23:59:59.999999'", dtm0: "'9999-12-31 23:59:59'", ts: "'2038-01-19 08:59:07.999999'",
    ts0: "'2038-01-19 08:59:07'", ts3: "'2038-01-19 08:59:07.999'", tm: "'838:59:59'", tm6: "'838:59:59.999999'", yr: '2155',
    ch: "'😀ü𝄞'", vc: "'emoji 😀 and 𝄞'", tx: "REPEAT('é😀', 1000)", mtx: "REPEAT('😀é', 40000)",
    bn: "X'ffffffffffffffff'", vb: `X'${hex(Array.from({ length: 256 }, (_, b) => b))}'`,
    bl: `X'${hex([...Array.from({ length: 256 }, (_, b) => b), ...Array.from({ length: 256 }, (_, b) => 255 - b)])}'`,
    b1: "b'1'", b13: `b'${'1'.repeat(13)}'`, b64: `b'${'1'.repeat(64)}'`, en: "'😀'", st: "'x,y,z,😀'", js: `'["é", {"k": 12345678901234567890}, 1.10]'`,
  },
  {
    id: '2', ti: '-128', tiu: '0', si: '-32768', siu: '0', mi: '-8388608', miu: '0', i: '-2147483648', iu: '0', bi: '-9223372036854775808', biu: '0',
    dec_wide: '-99999999999999999999999999999999999.999999999999999999999999999999', dec_money: '-99999999.99', dec_int: '0',
    f: '-1.1754943508222875e-38', d: '-2.2250738585072014e-308', dt: "'1000-01-01'", dtm: "'1000-01-01 00:00:00.000000'", dtm0: "'1000-01-01 00:00:00'",
    ts: "'1970-01-01 05:45:01.000001'", ts0: "'1970-01-01 05:45:01'", ts3: "'2000-02-29 23:59:59.5'", tm: "'-838:59:59'", tm6: "'-838:59:59.999999'", yr: '1901',
    ch: "''", vc: "''", tx: "''", mtx: "''", bn: "X''", vb: "X''", bl: "X''", b1: "b'0'", b13: "b'0'", b64: "b'0'", en: "'a'", st: "''", js: "'[]'",
  },
  { id: '3' },
  {
    id: '4', f: '1.401298464324817e-45', d: '5e-324', dtm: "'2021-03-28 02:30:00.5'", ts: "'2021-10-31 02:30:00.25'",
    tm: "'-00:00:00'", tm6: "'-12:00:00.5'", dt: "'2020-00-15'", dec_wide: '-0.000000000000000000000000000001', vb: "X'20'", ch: "' x'",
  },
];

export function hex(bytes: number[]): string {
  return Buffer.from(bytes).toString('hex');
}

export const TEXT_PIECES = ['a', 'Z', ' ', 'é', 'ü', 'ß', '😀', '𝄞', '中', "'", '"', '\\', '\n', '\t', '\0', '%', '_', '?', '\u00a0', '\u202e'];

/** Random SQL literals per column type, reproducible from the seed. */
export class ValueGenerator {
  constructor(private readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A 64-bit integer in [min, max], often at or next to the ends. */
  big(min: bigint, max: bigint): string {
    const roll = this.random();
    if (roll < 0.1) return String(min);
    if (roll < 0.2) return String(max);
    if (roll < 0.3) return String(this.pick([2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n].filter((v) => v >= min && v <= max)));
    const span = max - min + 1n;
    const raw = (BigInt(this.int(0, 0xffffffff)) << 32n) | BigInt(this.int(0, 0xffffffff));
    return String(min + (raw % span));
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.int(0, 9));
    return out;
  }

  decimal(precision: number, scale: number): string {
    const whole = this.digits(this.int(1, precision - scale)).replace(/^0+(?=\d)/, '');
    const fraction = scale > 0 ? `.${this.digits(scale)}` : '';
    return `${this.random() < 0.5 ? '-' : ''}${whole}${fraction}`;
  }

  double(maxExponent: number): string {
    const value = (this.random() - 0.5) * 10 ** this.int(-maxExponent, maxExponent);
    return String(value);
  }

  date(): string {
    return `${this.int(1000, 9999)}-${pad(this.int(1, 12))}-${pad(this.int(1, 28))}`;
  }

  time(): string {
    return `${pad(this.int(0, 23))}:${pad(this.int(0, 59))}:${pad(this.int(0, 59))}`;
  }

  micros(digits: number): string {
    return this.digits(digits);
  }

  /** Wall-clock text in the source session zone of an instant TIMESTAMP can hold. */
  timestamp(fraction: number): string {
    const seconds = this.int(1, 2 ** 31 - 2);
    const wall = new Date((seconds + SOURCE_OFFSET_SECONDS) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    return `'${wall}${fraction > 0 ? `.${this.micros(fraction)}` : ''}'`;
  }

  text(maxLength: number): string {
    const length = this.int(0, maxLength);
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick(TEXT_PIECES);
    return mysql.escape(out);
  }

  bytes(maxLength: number): string {
    const length = this.int(0, maxLength);
    return `X'${hex(Array.from({ length }, () => this.int(0, 255)))}'`;
  }

  bits(width: number): string {
    return `b'${Array.from({ length: width }, () => this.int(0, 1)).join('')}'`;
  }

  json(depth = 0): unknown {
    const roll = this.random();
    if (depth < 2 && roll < 0.25) return Object.fromEntries(Array.from({ length: this.int(0, 3) }, (_, i) => [`k${i}${this.pick(TEXT_PIECES)}`, this.json(depth + 1)]));
    if (depth < 2 && roll < 0.45) return Array.from({ length: this.int(0, 3) }, () => this.json(depth + 1));
    return this.pick<unknown>([null, true, false, this.int(-1000, 1000), this.random() * 1e6, `s${this.pick(TEXT_PIECES)}${this.pick(TEXT_PIECES)}`]);
  }

  /** A SQL expression for `column`, NULL now and then. */
  value(column: Column): string {
    if (this.random() < 0.12) return 'NULL';
    switch (column) {
      case 'ti': return String(this.int(-128, 127));
      case 'tiu': return String(this.int(0, 255));
      case 'si': return String(this.int(-32768, 32767));
      case 'siu': return String(this.int(0, 65535));
      case 'mi': return String(this.int(-8388608, 8388607));
      case 'miu': return String(this.int(0, 16777215));
      case 'i': return String(this.int(-2147483648, 2147483646));
      case 'iu': return String(this.int(0, 4294967295));
      case 'bi': return this.big(-(2n ** 63n), 2n ** 63n - 1n);
      case 'biu': return this.big(0n, 2n ** 64n - 1n);
      case 'dec_wide': return this.decimal(65, 30);
      case 'dec_money': return this.decimal(10, 2);
      case 'dec_int': return this.decimal(30, 0);
      case 'f': return this.double(30);
      case 'd': return this.double(300);
      case 'dt': return this.random() < 0.05 ? "'0000-00-00'" : `'${this.date()}'`;
      case 'dtm': return `'${this.date()} ${this.time()}.${this.micros(6)}'`;
      case 'dtm0': return `'${this.date()} ${this.time()}'`;
      case 'ts': return this.timestamp(6);
      case 'ts0': return this.timestamp(0);
      case 'ts3': return this.timestamp(3);
      case 'tm': return `'${this.random() < 0.5 ? '-' : ''}${this.int(0, 838)}:${pad(this.int(0, 59))}:${pad(this.int(0, 59))}'`;
      case 'tm6': return `'${this.random() < 0.5 ? '-' : ''}${this.int(0, 837)}:${pad(this.int(0, 59))}:${pad(this.int(0, 59))}.${this.random() < 0.2 ? '000000' : this.micros(6)}'`;
      case 'yr': return String(this.random() < 0.05 ? 0 : this.int(1901, 2155));
      case 'ch': return this.text(10);
      case 'vc': return this.text(100);
      case 'tx': return this.text(300);
      case 'mtx': return this.random() < 0.1 ? `REPEAT(${this.text(4)}, ${this.int(1, 20000)})` : this.text(50);
      case 'bn': return this.bytes(8);
      case 'vb': return this.bytes(300);
      case 'bl': return this.bytes(2000);
      case 'b1': return this.bits(1);
      case 'b13': return this.bits(13);
      case 'b64': return this.bits(64);
      case 'en': return mysql.escape(this.pick(['a', 'b', 'ü', '😀']));
      case 'st': return mysql.escape(['x', 'y', 'z', '😀'].filter(() => this.random() < 0.5).join(','));
      case 'js': return mysql.escape(JSON.stringify(this.json()));
    }
  }
}

export function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Runs statements as one transaction, in one round trip. */
export async function transaction(connection: Connection, statements: string[]): Promise<void> {
  await connection.query(`BEGIN; ${statements.join('; ')}; COMMIT`);
}

/** Random inserts, updates (some of the key), deletes over all_types, in transactions of 1-6 statements. */
export async function randomAllTypesWorkload(connection: Connection, seed: number, transactions: number, ids: Set<number>, nextId: { value: number }): Promise<void> {
  const random = seededRandom(seed);
  const gen = new ValueGenerator(random);
  const existing = (): number | undefined => (ids.size === 0 ? undefined : [...ids][Math.floor(random() * ids.size)]);
  for (let t = 0; t < transactions; t++) {
    const statements: string[] = [];
    for (let s = gen.int(1, 6); s > 0; s--) {
      const roll = random();
      const id = existing();
      if (roll < 0.4 || id === undefined) {
        const newId = nextId.value++;
        statements.push(`INSERT INTO all_types (id, ${WRITABLE.join(', ')}) VALUES (${newId}, ${WRITABLE.map((c) => gen.value(c)).join(', ')})`);
        ids.add(newId);
      } else if (roll < 0.8) {
        const columns = WRITABLE.filter(() => random() < 0.3);
        if (columns.length === 0) columns.push(gen.pick(WRITABLE));
        statements.push(`UPDATE all_types SET ${columns.map((c) => `${c} = ${gen.value(c)}`).join(', ')} WHERE id = ${id}`);
      } else if (roll < 0.9) {
        const newId = nextId.value++;
        statements.push(`UPDATE all_types SET id = ${newId}, vc = ${gen.value('vc')} WHERE id = ${id}`);
        ids.delete(id);
        ids.add(newId);
      } else {
        statements.push(`DELETE FROM all_types WHERE id = ${id}`);
        ids.delete(id);
      }
    }
    await transaction(connection, statements);
  }
}

/**
 * Key moves: swap two rows' keys through the spare key, rotate three keys, delete and re-insert
 * a key in one transaction, move a key onto one freed in the same transaction.
 */
export async function keyWorkload(connection: Connection, table: (typeof KEY_TABLES)[number], round: number): Promise<void> {
  const names = table.columns.map(([name]) => name);
  const where = (key: string[]): string => names.map((name, i) => `${name} = ${key[i]}`).join(' AND ');
  const set = (key: string[]): string => names.map((name, i) => `${name} = ${key[i]}`).join(', ');
  const k = table.keys;
  const [k0, k1, k2, k3, k4, spare] = [k[0]!, k[1]!, k[2]!, k[3]!, k[4]!, k[5]!];
  const t = table.name;
  if (round === 0) {
    await transaction(connection, [`INSERT INTO ${t} VALUES ${[k0, k1, k2, k3, k4].map((key, i) => `(${key.join(', ')}, 'r${i}', ${i})`).join(', ')}`]);
    // Swap r0 and r1 through the spare key.
    await transaction(connection, [`UPDATE ${t} SET ${set(spare)} WHERE ${where(k0)}`, `UPDATE ${t} SET ${set(k0)} WHERE ${where(k1)}`, `UPDATE ${t} SET ${set(k1)} WHERE ${where(spare)}`]);
    // Rotate k2 -> k3 -> k4 -> k2.
    await transaction(connection, [
      `UPDATE ${t} SET ${set(spare)}, n = n + 100 WHERE ${where(k4)}`,
      `UPDATE ${t} SET ${set(k4)} WHERE ${where(k3)}`,
      `UPDATE ${t} SET ${set(k3)} WHERE ${where(k2)}`,
      `UPDATE ${t} SET ${set(k2)} WHERE ${where(spare)}`,
    ]);
  } else {
    // Delete and re-insert the same key; move another row onto a key freed in the same transaction.
    await transaction(connection, [`DELETE FROM ${t} WHERE ${where(k0)}`, `INSERT INTO ${t} VALUES (${k0.join(', ')}, 'again', NULL)`, `UPDATE ${t} SET v = 'touched' WHERE ${where(k1)}`]);
    await transaction(connection, [`DELETE FROM ${t} WHERE ${where(k2)}`, `UPDATE ${t} SET ${set(k2)} WHERE ${where(k3)}`, `UPDATE ${t} SET ${set(spare)} WHERE ${where(k4)}`]);
    await transaction(connection, [`DELETE FROM ${t} WHERE ${where(k1)}`, `UPDATE ${t} SET ${set(k1)}, v = 'moved back' WHERE ${where(spare)}`]);
  }
}
