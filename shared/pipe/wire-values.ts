import { FerryError } from '../errors/index.ts';
import { corrupt, type WireReader, type WireWriter } from './wire-buffer.ts';

/**
 * One column value on the wire: a tag byte, then its bytes. Covers every JavaScript value the
 * binlog decoder can give (node/select/row-decoder.ts, zongji's readMysqlValue under
 * node/select/binlog-options.ts; the rules in node/transform/values.ts), and round-trips each
 * exactly:
 * - null; undefined (zongji's ENUM index 0, refused later by Transform with its own code);
 * - integers (TINYINT to BIGINT within 2^52) as zigzag varints; larger ones, -0, fractions, NaN
 *   and the infinities (FLOAT, DOUBLE) as their 8 IEEE-754 bytes;
 * - bigint (BIGINT after Transform, or a parsed JSON value) as sign and magnitude bytes;
 * - strings: DECIMAL digits, BIGINT beyond 2^53, temporal text (dateStrings), ENUM, SET, JSON
 *   text, UUID/INET text; UTF-8, or UTF-16 units for the rare string with a lone surrogate
 *   (a UTF-16/UCS-2 column decoded by iconv), which UTF-8 cannot carry;
 * - Buffers: BINARY, BLOB, BIT, VECTOR, text in a charset zongji cannot decode;
 * - Date (dateStrings off), by its millisecond time (an invalid Date as NaN);
 * - booleans, arrays and plain objects: GEOMETRY points and parsed JSON (jsonStrings off).
 * Anything else (a function, a class instance) is FERRY_ERR_PIPE_WIRE_VALUE: a bug upstream.
 */

const Tag = {
  Null: 0,
  Undefined: 1,
  False: 2,
  True: 3,
  Integer: 4,
  Float: 5,
  String: 6,
  Bytes: 7,
  BigIntPositive: 8,
  BigIntNegative: 9,
  Date: 10,
  Array: 11,
  Object: 12,
  StringUtf16: 13,
} as const;
type Tag = (typeof Tag)[keyof typeof Tag];

const ZIGZAG_LIMIT = 2 ** 52;

/** String.prototype.isWellFormed: in Node 20, not yet in the TypeScript lib this project targets. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/** Nesting depth of arrays and objects accepted on read: JSON's own practical limit, and no stack overflow on garbage. */
const MAX_DEPTH = 100;

export function writeValue(out: WireWriter, value: unknown, depth = 0): void {
  switch (typeof value) {
    case 'number':
      // Zigzag doubles the magnitude: within 2^52 the varint stays a safe integer.
      if (Number.isInteger(value) && Math.abs(value) < ZIGZAG_LIMIT && !Object.is(value, -0)) {
        out.byte(Tag.Integer);
        out.svarint(value);
      } else {
        out.byte(Tag.Float);
        out.float64(value);
      }
      return;
    case 'string':
      if ((value as unknown as WellFormedCheck).isWellFormed()) {
        out.byte(Tag.String);
        out.string(value);
      } else {
        out.byte(Tag.StringUtf16);
        out.raw(Buffer.from(value, 'utf16le'));
      }
      return;
    case 'undefined':
      out.byte(Tag.Undefined);
      return;
    case 'boolean':
      out.byte(value ? Tag.True : Tag.False);
      return;
    case 'bigint':
      out.byte(value < 0n ? Tag.BigIntNegative : Tag.BigIntPositive);
      out.raw(bigintMagnitude(value < 0n ? -value : value));
      return;
    case 'object':
      if (value === null) out.byte(Tag.Null);
      else if (Buffer.isBuffer(value)) {
        out.byte(Tag.Bytes);
        out.raw(value);
      } else if (value instanceof Date) {
        out.byte(Tag.Date);
        out.float64(value.getTime());
      } else if (Array.isArray(value)) {
        if (depth >= MAX_DEPTH) throw unsupported(`an array nested deeper than ${MAX_DEPTH}`);
        out.byte(Tag.Array);
        out.uvarint(value.length);
        for (const item of value) writeValue(out, item, depth + 1);
      } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        if (depth >= MAX_DEPTH) throw unsupported(`an object nested deeper than ${MAX_DEPTH}`);
        const keys = Object.keys(value);
        out.byte(Tag.Object);
        out.uvarint(keys.length);
        for (const key of keys) {
          out.string(key);
          writeValue(out, (value as Record<string, unknown>)[key], depth + 1);
        }
      } else {
        throw unsupported(`an instance of ${value.constructor?.name ?? 'an unknown class'}`);
      }
      return;
    default:
      throw unsupported(`a ${typeof value}`);
  }
}

export function readValue(input: WireReader, depth = 0): unknown {
  const tag = input.byte('a value tag');
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.Undefined:
      return undefined;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Integer:
      return input.svarint('an integer value');
    case Tag.Float:
      return input.float64('a float value');
    case Tag.String:
      return input.string('a string value');
    case Tag.StringUtf16: {
      const units = input.raw('a UTF-16 string value');
      if (units.length % 2 !== 0) throw corrupt(`a UTF-16 string value has an odd byte count ${units.length}`);
      return units.toString('utf16le');
    }
    case Tag.Bytes:
      return input.raw('a byte value');
    case Tag.BigIntPositive:
    case Tag.BigIntNegative: {
      const magnitude = input.raw('a bigint value');
      const value = magnitude.length === 0 ? 0n : BigInt(`0x${magnitude.toString('hex')}`);
      return tag === Tag.BigIntNegative ? -value : value;
    }
    case Tag.Date:
      return new Date(input.float64('a date value'));
    case Tag.Array: {
      if (depth >= MAX_DEPTH) throw corrupt(`values nested deeper than ${MAX_DEPTH}`);
      const length = input.count('an array length');
      const items = new Array<unknown>(length);
      for (let i = 0; i < length; i++) items[i] = readValue(input, depth + 1);
      return items;
    }
    case Tag.Object: {
      if (depth >= MAX_DEPTH) throw corrupt(`values nested deeper than ${MAX_DEPTH}`);
      const length = input.count('an object size');
      const object: Record<string, unknown> = {};
      for (let i = 0; i < length; i++) {
        const key = input.string('an object key');
        // defineProperty: a key '__proto__' (valid JSON) must stay a plain own property.
        Object.defineProperty(object, key, { value: readValue(input, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    default:
      throw corrupt(`unknown value tag ${tag} at offset ${input.offset - 1}`);
  }
}

/** Big-endian magnitude without leading zero bytes (0n: no bytes). */
function bigintMagnitude(value: bigint): Buffer {
  if (value === 0n) return Buffer.alloc(0);
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function unsupported(what: string): FerryError {
  return new FerryError('FERRY_ERR_PIPE_WIRE_VALUE', { detail: what });
}
