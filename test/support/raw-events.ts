/**
 * Raw binlog events made by hand, shaped as the source writes them (19-byte header, table id
 * and flags, a body, a 4-byte checksum): for unit tests of what replay reads from the bytes.
 */
export const TABLE_MAP = 19;
export const WRITE_ROWS_V1 = 23;
export const UPDATE_ROWS_V1 = 24;
export const DELETE_ROWS_V1 = 25;

export function rawEvent(type: number, tableId: number, flags = 0, body = 'x'.repeat(12), checksum = true): Buffer {
  const payload = Buffer.from(body);
  const event = Buffer.alloc(19 + 8 + payload.length + (checksum ? 4 : 0));
  event.writeUInt32LE(1_700_000_000, 0);
  event[4] = type;
  event.writeUInt32LE(1, 5);
  event.writeUInt32LE(event.length, 9);
  event.writeUIntLE(tableId, 19, 6);
  event.writeUInt16LE(flags, 25);
  payload.copy(event, 27);
  return event;
}

export const tableMap = (tableId: number): Buffer => rawEvent(TABLE_MAP, tableId);
/** A row event; `end`: the last of its statement (STMT_END_F). */
export const rowsEvent = (tableId: number, end: boolean, type = WRITE_ROWS_V1): Buffer => rawEvent(type, tableId, end ? 1 : 0);
export const formatEvent = (): Buffer => rawEvent(15, 0, 0, 'format description');
