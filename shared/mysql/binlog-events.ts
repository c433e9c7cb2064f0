import { crc32 } from 'node:zlib';

/**
 * Just enough of the binlog event format (v4, MariaDB and MySQL) to replay row events
 * (docs/replay.md): read a Format_description event, tell a statement's last row event, and
 * rename the table a table-map event names. Every event: a 19-byte header (timestamp 4,
 * type 1, server id 4, event size 4 at offset 9, next position 4, flags 2), a body, and a
 * CRC32 of everything before it in the last 4 bytes when the binlog is checksummed.
 */

export const EVENT_HEADER_LENGTH = 19;
const SIZE_OFFSET = 9;
const TYPE_OFFSET = 4;
const CHECKSUM_LENGTH = 4;

export const FORMAT_DESCRIPTION_EVENT = 15;
export const TABLE_MAP_EVENT = 19;
/** Row events: v1 (MariaDB), v2 (MySQL), and MariaDB's compressed ones. */
const ROW_EVENTS = new Set([23, 24, 25, 30, 31, 32, 166, 167, 168, 169, 170, 171]);
/** Rows_log_event flag: the statement's last row event (its tables are closed after it). */
const STMT_END_F = 0x0001;

/** What a Format_description event says about the events after it. */
export interface FormatDescription {
  /** The source's server version text, e.g. '10.11.19-MariaDB-0+deb12u1-log'. */
  serverVersion: string;
  /** Events end in a CRC32 (the Format_description's checksum algorithm is 1). */
  checksum: boolean;
  /** Post-header length of events of a type (from the Format_description's table). */
  postHeaderLength(type: number): number;
}

export function eventType(event: Buffer): number {
  return event[TYPE_OFFSET]!;
}

export function isRowEvent(event: Buffer): boolean {
  return ROW_EVENTS.has(eventType(event));
}

/**
 * Reads a Format_description event: binlog version (2), server version (50, NUL padded),
 * create timestamp (4), common header length (1), one post-header length per event type,
 * then (servers since MySQL 5.6.1 and every MariaDB 10) the checksum algorithm (1) and the
 * event's own checksum (4).
 */
export function readFormatDescription(event: Buffer): FormatDescription {
  if (eventType(event) !== FORMAT_DESCRIPTION_EVENT || event.length < EVENT_HEADER_LENGTH + 57 + 5) {
    throw new Error(`not a Format_description event (type ${eventType(event)}, ${event.length} bytes)`);
  }
  const body = EVENT_HEADER_LENGTH;
  const versionBytes = event.subarray(body + 2, body + 52);
  const nul = versionBytes.indexOf(0);
  const serverVersion = versionBytes.subarray(0, nul < 0 ? versionBytes.length : nul).toString('latin1');
  const lengthsStart = body + 57;
  const algorithm = event[event.length - CHECKSUM_LENGTH - 1]!;
  const lengths = event.subarray(lengthsStart, event.length - CHECKSUM_LENGTH - 1);
  return {
    serverVersion,
    checksum: algorithm === 1,
    postHeaderLength: (type) => lengths[type - 1] ?? 0,
  };
}

/** One Format_description per stream (a Buffer shared by its transactions): read once. */
const formats = new WeakMap<Buffer, FormatDescription>();

/** readFormatDescription, once per Buffer. */
export function formatOf(format: Buffer): FormatDescription {
  let description = formats.get(format);
  if (description === undefined) formats.set(format, (description = readFormatDescription(format)));
  return description;
}

/** Where a rows or table-map event's flags are: after a table id of 6 bytes (4 on servers whose post-header is 6 long). */
function flagsOffset(event: Buffer, format: FormatDescription): number {
  return EVENT_HEADER_LENGTH + (format.postHeaderLength(eventType(event)) === 6 ? 4 : 6);
}

/** True for a row event flagged STMT_END_F: the last event of its statement. */
export function endsStatement(event: Buffer, format: FormatDescription): boolean {
  return isRowEvent(event) && (event.readUInt16LE(flagsOffset(event, format)) & STMT_END_F) !== 0;
}

/** Where a table-map event's names start: after its post-header (table id, flags). */
function namesOffset(event: Buffer, format: FormatDescription): number {
  const postHeader = format.postHeaderLength(TABLE_MAP_EVENT);
  return EVENT_HEADER_LENGTH + (postHeader === 0 ? 8 : postHeader);
}

/** The schema and table a table-map event names. */
export function tableMapNames(event: Buffer, format: FormatDescription): { schema: string; table: string } {
  if (eventType(event) !== TABLE_MAP_EVENT) throw new Error(`not a table-map event (type ${eventType(event)})`);
  const at = namesOffset(event, format);
  const schemaLength = event[at]!;
  const schema = event.subarray(at + 1, at + 1 + schemaLength).toString('utf8');
  const tableAt = at + 1 + schemaLength + 1;
  const tableLength = event[tableAt]!;
  return { schema, table: event.subarray(tableAt + 1, tableAt + 1 + tableLength).toString('utf8') };
}

/**
 * The table-map event naming `schema`.`table` instead: each name is a length byte, the name
 * (utf8) and a NUL; the event size in the header and the checksum (when the binlog has one)
 * follow the new length. Everything else (table id, column types, metadata) is kept.
 */
export function renameTableMap(event: Buffer, format: FormatDescription, schema: string, table: string): Buffer {
  if (eventType(event) !== TABLE_MAP_EVENT) throw new Error(`not a table-map event (type ${eventType(event)})`);
  const at = namesOffset(event, format);
  const oldSchemaLength = event[at]!;
  const tableAt = at + 1 + oldSchemaLength + 1;
  const restAt = tableAt + 1 + event[tableAt]! + 1;
  const end = format.checksum ? event.length - CHECKSUM_LENGTH : event.length;
  const schemaBytes = Buffer.from(schema, 'utf8');
  const tableBytes = Buffer.from(table, 'utf8');
  if (schemaBytes.length > 255 || tableBytes.length > 255) throw new Error(`name too long for a table-map event: ${schema}.${table}`);
  const size = at + 1 + schemaBytes.length + 1 + 1 + tableBytes.length + 1 + (end - restAt) + (format.checksum ? CHECKSUM_LENGTH : 0);
  const out = Buffer.allocUnsafe(size);
  event.copy(out, 0, 0, at);
  let offset = at;
  out[offset++] = schemaBytes.length;
  offset += schemaBytes.copy(out, offset);
  out[offset++] = 0;
  out[offset++] = tableBytes.length;
  offset += tableBytes.copy(out, offset);
  out[offset++] = 0;
  offset += event.copy(out, offset, restAt, end);
  out.writeUInt32LE(size, SIZE_OFFSET);
  if (format.checksum) out.writeUInt32LE(crc32(out.subarray(0, offset)), offset);
  return out;
}

/** True when the event's checksum matches its bytes (or the binlog has none). */
export function checksumMatches(event: Buffer, format: FormatDescription): boolean {
  if (!format.checksum) return true;
  const end = event.length - CHECKSUM_LENGTH;
  return crc32(event.subarray(0, end)) === event.readUInt32LE(end);
}
