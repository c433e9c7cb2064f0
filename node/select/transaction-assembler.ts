import { FerryError } from '../../shared/errors/index.ts';
import type { GtidSet } from '../../shared/model/gtid.ts';
import type { ChangeKind, ColumnInfo, DdlStatement, Row, RowChange, SourcePosition, SourceTransaction } from '../../shared/model/change.ts';

/** The binlog events the assembler needs, already decoded (see binlog-reader.ts). */
export type AssemblerEvent =
  | { type: 'rotate'; file: string }
  /** `standalone`: MariaDB's flag for a group with no commit event (DDL); unknown on MySQL. */
  | { type: 'gtid'; gtid: string; timestamp: number; standalone?: boolean }
  | { type: 'query'; sql: string; schema: string; timestamp: number; nextPosition: number }
  | { type: 'rows'; kind: ChangeKind; schema: string; table: string; columns: ColumnInfo[]; rows: unknown[]; timestamp: number; bytes?: number }
  | { type: 'xid'; timestamp: number; nextPosition: number };

interface OpenTransaction {
  gtid?: string;
  changes: RowChange[];
  bytes: number;
  timestamp: number;
  /** False when the group is known to end with a commit event (MariaDB non-standalone). */
  standalone?: boolean;
  ddl?: DdlStatement;
  laterStatements?: DdlStatement[];
}

/**
 * Turns a stream of binlog events into whole source transactions, in commit order.
 * A transaction starts at a GTID event or BEGIN and ends at XID or COMMIT; any other
 * statement outside a transaction (DDL, GRANT, ...) is a transaction of its own.
 * When seeded with the executed GTID set at the start point, every transaction's end
 * position carries the set including that transaction: an exact resume point.
 */
export class TransactionAssembler {
  private file: string;
  private open: OpenTransaction | undefined;

  constructor(
    startFile: string,
    private readonly executed: GtidSet | undefined,
    private readonly emit: (transaction: SourceTransaction) => void,
  ) {
    this.file = startFile;
  }

  get currentFile(): string {
    return this.file;
  }

  push(event: AssemblerEvent): void {
    switch (event.type) {
      case 'rotate':
        this.file = event.file;
        return;
      case 'gtid':
        // MariaDB has no BEGIN: its GTID event opens the group. A dangling open group (a
        // filtered commit marker) cannot happen with the events we subscribe to.
        this.open = { gtid: event.gtid, changes: [], bytes: 0, timestamp: event.timestamp, ...(event.standalone === undefined ? {} : { standalone: event.standalone }) };
        return;
      case 'rows':
        this.pushRows(event);
        return;
      case 'xid':
        this.commit(event.nextPosition, event.timestamp);
        return;
      case 'query':
        this.pushQuery(event);
        return;
    }
  }

  private pushRows(event: Extract<AssemblerEvent, { type: 'rows' }>): void {
    if (!this.open) {
      throw new FerryError('FERRY_ERR_BINLOG_UNSUPPORTED', { position: this.file, detail: `row event for ${event.schema}.${event.table} outside a transaction` });
    }
    // Object literals of one shape, not spreads: this runs for every row of the backlog.
    const { schema, table, kind, columns } = event;
    const changes = this.open.changes;
    this.open.bytes += event.bytes ?? 0;
    for (const row of event.rows) {
      if (kind === 'insert') changes.push({ schema, table, kind, columns, before: undefined, after: row as Row });
      else if (kind === 'delete') changes.push({ schema, table, kind, columns, before: row as Row, after: undefined });
      else {
        const pair = row as { before: Row; after: Row };
        changes.push({ schema, table, kind, columns, before: pair.before, after: pair.after });
      }
    }
  }

  private pushQuery(event: Extract<AssemblerEvent, { type: 'query' }>): void {
    const statement = event.sql.trim();
    const keyword = statement.slice(0, 16).toUpperCase();
    if (keyword.startsWith('BEGIN') || keyword.startsWith('START TRANSACTION')) {
      this.open ??= { changes: [], bytes: 0, timestamp: event.timestamp };
      return;
    }
    if (keyword.startsWith('COMMIT')) {
      this.commit(event.nextPosition, event.timestamp);
      return;
    }
    if (keyword.startsWith('ROLLBACK') && this.open && this.open.changes.length === 0) {
      // A rolled-back group with only non-transactional noise: nothing to apply.
      this.commit(event.nextPosition, event.timestamp);
      return;
    }
    if (keyword.startsWith('SAVEPOINT') || keyword.startsWith('XA ')) {
      if (keyword.startsWith('XA ')) {
        throw new FerryError('FERRY_ERR_BINLOG_UNSUPPORTED', { position: `${this.file}:${event.nextPosition}`, detail: `XA transactions are not supported (${statement.slice(0, 60)})` });
      }
      return;
    }
    // A statement inside a group that ends with a commit event (MariaDB's CREATE TABLE ...
    // SELECT: the statement, then the rows, then COMMIT): one transaction with DDL and rows.
    // Several statements in one group: row changes a session logged as statements. Each is kept.
    if (this.open && this.open.standalone === false) {
      if (this.open.ddl) (this.open.laterStatements ??= []).push({ schema: event.schema, sql: statement });
      else this.open.ddl = { schema: event.schema, sql: statement };
      return;
    }
    // A statement of its own (DDL and the like): one transaction, committed implicitly.
    const gtid = this.open?.gtid;
    this.open = undefined;
    this.emit({ ...(gtid === undefined ? {} : { gtid }), end: this.position(event.nextPosition, gtid), timestamp: event.timestamp, changes: [], ddl: { schema: event.schema, sql: statement } });
  }

  private commit(nextPosition: number, timestamp: number): void {
    const open: OpenTransaction = this.open ?? { changes: [], bytes: 0, timestamp };
    this.open = undefined;
    // Built field by field, no spreads: once per source transaction, the cost of a
    // single-row transaction is mostly this kind of bookkeeping.
    const transaction: SourceTransaction = { end: this.position(nextPosition, open.gtid), timestamp, changes: open.changes, bytes: open.bytes };
    if (open.gtid !== undefined) transaction.gtid = open.gtid;
    if (open.ddl) transaction.ddl = open.ddl;
    if (open.laterStatements) transaction.laterStatements = open.laterStatements;
    this.emit(transaction);
  }

  /** The point after a transaction; folds its GTID into the executed set first. */
  private position(pos: number, gtid: string | undefined): SourcePosition {
    if (!this.executed) return { file: this.file, pos };
    if (gtid !== undefined) this.executed.add(gtid);
    return { file: this.file, pos, gtidSet: this.executed.toString() };
  }
}
