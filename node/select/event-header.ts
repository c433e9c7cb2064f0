/**
 * The few fields of a raw binlog event that replay needs (MariaDB/MySQL v4 events: a 19-byte
 * common header, then the post-header). Read from the bytes themselves, not from zongji's
 * objects: what Load replays is these bytes, so these bytes are what must be well formed.
 */

/** The common header: timestamp (4), type (1), server id (4), event length (4), next position (4), flags (2). */
export const COMMON_HEADER_LENGTH = 19;

export const TABLE_MAP_EVENT = 19;

/**
 * Row event type codes: v1 (MariaDB writes these), v2 (MySQL 5.6+), and MariaDB's compressed
 * v1 and v2 (log_bin_compress). Their post-headers all start with the 6-byte table id and
 * 2 bytes of flags.
 */
const ROWS_EVENTS = new Set([23, 24, 25, 30, 31, 32, 166, 167, 168, 169, 170, 171]);

/** The flag on the last row event of a statement: the applier closes the statement's tables there. */
export const STMT_END_F = 0x0001;

export type EventKind = 'tablemap' | 'rows' | 'other';

export interface EventHeader {
  kind: EventKind;
  /** The table id of a table-map or row event (48 bits: exact in a double). */
  tableId: number;
  /** Set on a row event that ends its statement. */
  statementEnd: boolean;
}

/**
 * The header fields of one raw event, or undefined when the bytes cannot be an event: too
 * short for its post-header, or a length field that disagrees with the buffer (a truncated or
 * joined copy).
 */
export function readEventHeader(event: Buffer): EventHeader | undefined {
  if (event.length < COMMON_HEADER_LENGTH || event.readUInt32LE(9) !== event.length) return undefined;
  const type = event[4]!;
  const kind: EventKind = type === TABLE_MAP_EVENT ? 'tablemap' : ROWS_EVENTS.has(type) ? 'rows' : 'other';
  if (kind === 'other') return { kind, tableId: 0, statementEnd: false };
  if (event.length < COMMON_HEADER_LENGTH + 8) return undefined;
  const tableId = event.readUIntLE(COMMON_HEADER_LENGTH, 6);
  const statementEnd = kind === 'rows' && (event.readUInt16LE(COMMON_HEADER_LENGTH + 6) & STMT_END_F) !== 0;
  return { kind, tableId, statementEnd };
}

/**
 * Whether a transaction's table-map and row events, in binlog order, replay as whole
 * statements: every row event's table has its map earlier in the same statement, and every
 * statement ends (STMT_END_F) before the next statement's maps and before the commit. zongji
 * drops the maps and rows of schemas its filter leaves out without saying so: a multi-table
 * statement that lost its last row event that way fails here, and is applied by SQL.
 */
export function replaysAsStatements(events: readonly Buffer[]): boolean {
  const mapped = new Set<number>();
  /** A row event of the current statement was seen, and the statement has not ended yet. */
  let inRows = false;
  for (const event of events) {
    const header = readEventHeader(event);
    if (header === undefined || header.kind === 'other') return false;
    if (header.kind === 'tablemap') {
      if (inRows) return false;
      mapped.add(header.tableId);
      continue;
    }
    if (!mapped.has(header.tableId)) return false;
    inRows = true;
    if (header.statementEnd) {
      mapped.clear();
      inRows = false;
    }
  }
  // Maps with no rows after them would leave a statement open too.
  return !inRows && mapped.size === 0;
}
