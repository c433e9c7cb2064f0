import { FerryError } from '../../shared/errors/index.ts';
import type { GtidSet } from '../../shared/model/gtid.ts';
import type { ChangeKind, ColumnInfo, DdlStatement, Row, RowChange, SourcePosition, SourceTransaction, TableRef } from '../../shared/model/change.ts';
import { parseControlStatement } from './control-statements.ts';
import { readDdlMark } from './ddl-mark.ts';
import { replaysAsStatements } from './event-header.ts';

/** The column of a checkpoint row that names the pipeline that wrote it (node/load/checkpoint-store.ts). */
const MARK_COLUMN = 'pipeline';

function addMark(open: OpenTransaction, pipeline: string): void {
  const applied = (open.appliedBy ??= []);
  if (!applied.includes(pipeline)) applied.push(pipeline);
}

/**
 * The binlog events the assembler needs, already decoded (see binlog-reader.ts). `raw`: the
 * event's bytes as the source sent them, for replay (docs/replay.md); absent when the reader
 * could not capture them, which keeps the transaction on the SQL path.
 */
export type AssemblerEvent =
  | { type: 'rotate'; file: string }
  /** The stream's Format_description event (each binlog file starts with one). */
  | { type: 'format'; raw: Buffer }
  | { type: 'tablemap'; raw?: Buffer }
  /** `standalone`: MariaDB's flag for a group with no commit event (DDL); unknown on MySQL. */
  | { type: 'gtid'; gtid: string; timestamp: number; standalone?: boolean }
  | { type: 'query'; sql: string; schema: string; timestamp: number; nextPosition: number }
  | { type: 'rows'; kind: ChangeKind; schema: string; table: string; columns: ColumnInfo[]; rows: unknown[]; timestamp: number; bytes?: number; raw?: Buffer }
  | { type: 'xid'; timestamp: number; nextPosition: number };

/** A SAVEPOINT inside the open transaction: how far its changes reached when it was set. */
interface Savepoint {
  name: string;
  changes: number;
  bytes: number;
}

interface OpenTransaction {
  gtid?: string;
  changes: RowChange[];
  bytes: number;
  timestamp: number;
  /** False when the group is known to end with a commit event (MariaDB non-standalone). */
  standalone?: boolean;
  /** A BEGIN statement opened it (MySQL, and MariaDB groups without GTIDs). */
  begun?: boolean;
  ddl?: DdlStatement;
  laterStatements?: DdlStatement[];
  savepoints?: Savepoint[];
  /** Pipelines whose checkpoint rows the group wrote (SourceTransaction.appliedBy). */
  appliedBy?: string[];
  /**
   * Its table-map and row events as read, for SourceTransaction.replay; undefined once
   * something keeps it from replay (then the copies are let go at once).
   */
  raw: Buffer[] | undefined;
  /** The Format_description event its events are read with. */
  format: Buffer | undefined;
}

/** Why an open transaction was dropped without being emitted (see onDropped). */
export interface DroppedTransaction {
  gtid?: string;
  changes: number;
  reason: string;
}

/**
 * Turns a stream of binlog events into whole source transactions, in commit order.
 * A transaction starts at a GTID event or BEGIN and ends at XID or COMMIT; any other
 * statement outside a transaction (DDL, GRANT, ...) is a transaction of its own.
 * When seeded with the executed GTID set at the start point, every transaction's end
 * position carries the set including that transaction: an exact resume point.
 *
 * Inside a transaction only what keeps its rows exact is accepted: SAVEPOINT and ROLLBACK TO
 * (the rows after the savepoint are dropped, as on the source), RELEASE SAVEPOINT, and
 * MariaDB's CREATE TABLE ... SELECT (the statement opens its own group). Anything else that
 * would leave rows unaccounted for stops with FERRY_ERR_BINLOG_TRANSACTION (or _XA).
 */
export class TransactionAssembler {
  private file: string;
  private open: OpenTransaction | undefined;
  /** The stream's latest Format_description event: replay needs one before any transaction. */
  private format: Buffer | undefined;

  /** Two-phase XA transactions passed over (no replicated rows), until their XA COMMIT. */
  private readonly passedXa = new Set<string>();

  constructor(
    startFile: string,
    private readonly executed: GtidSet | undefined,
    private readonly emit: (transaction: SourceTransaction) => void,
    private readonly onDropped: (dropped: DroppedTransaction) => void = () => {},
    /** Whether a table's rows are replicated: two-phase XA on other tables is passed over. @default every table */
    private readonly replicates: (schema: string, table: string) => boolean = () => true,
    /**
     * Ferry's checkpoint table (`<systemSchema>.checkpoints`): its rows are marks, never changes;
     * the `pipeline` of each is recorded in the transaction's appliedBy. @default none
     */
    private readonly markTable?: TableRef,
  ) {
    this.file = startFile;
  }

  get currentFile(): string {
    return this.file;
  }

  push(event: AssemblerEvent): void {
    switch (event.type) {
      case 'rotate':
        this.rotate(event.file);
        return;
      case 'format':
        this.format = event.raw;
        // A transaction never spans two formats; one open here (cut by a crash) is not replayed.
        if (this.open) this.open.raw = undefined;
        return;
      case 'tablemap':
        if (this.open?.raw !== undefined) {
          if (event.raw === undefined) this.open.raw = undefined;
          else this.open.raw.push(event.raw);
        }
        return;
      case 'gtid':
        this.startGroup(event);
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

  private rotate(file: string): void {
    // A group never spans two binlog files: the server writes each one whole. A group still
    // open when the file ends was cut by a crash while it was written, and crash recovery
    // rolled it back on the source (the engine commits only after the binlog write), so it
    // is dropped here too, and reported.
    if (this.open && this.holdsWork(this.open) && file !== this.file) {
      const { gtid, changes } = this.open;
      this.onDropped({ ...(gtid === undefined ? {} : { gtid }), changes: changes.length, reason: `${this.file} ends inside the transaction (the source crashed while writing it)` });
      this.open = undefined;
    }
    this.file = file;
  }

  private startGroup(event: Extract<AssemblerEvent, { type: 'gtid' }>): void {
    // MariaDB has no BEGIN: its GTID event opens the group. A group still open here never
    // saw its commit event: its rows can be neither applied nor dropped with certainty.
    if (this.open && this.holdsWork(this.open)) {
      throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', {
        position: this.where(),
        detail: `GTID ${event.gtid} starts before ${this.open.gtid === undefined ? 'the open transaction' : `transaction ${this.open.gtid}`} (${this.open.changes.length} row changes) ended`,
      });
    }
    this.open = { gtid: event.gtid, changes: [], bytes: 0, timestamp: event.timestamp, ...(event.standalone === undefined ? {} : { standalone: event.standalone }), ...this.replayStart() };
  }

  /** A new transaction's replay state: events collected only when the stream's format is known. */
  private replayStart(): Pick<OpenTransaction, 'raw' | 'format'> {
    return { raw: this.format === undefined ? undefined : [], format: this.format };
  }

  /** True when dropping the open transaction would lose something. */
  private holdsWork(open: OpenTransaction): boolean {
    return open.changes.length > 0 || open.begun === true || open.ddl !== undefined;
  }

  private pushRows(event: Extract<AssemblerEvent, { type: 'rows' }>): void {
    if (!this.open) {
      throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: this.where(), detail: `row event for ${event.schema}.${event.table} outside a transaction` });
    }
    // Object literals of one shape, not spreads: this runs for every row of the backlog.
    const { schema, table, kind, columns } = event;
    const mark = this.markTable;
    const open = this.open;
    if (mark !== undefined && table === mark.table && schema === mark.schema) {
      // Replaying the mark would write the mirror's checkpoint row on the target.
      open.raw = undefined;
      this.recordMarks(open, event);
      return;
    }
    if (open.raw !== undefined) {
      if (event.raw === undefined || !this.replicates(schema, table)) open.raw = undefined;
      else open.raw.push(event.raw);
    }
    const changes = open.changes;
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

  /**
   * A checkpoint row Load wrote in this transaction (an upsert: logged as an insert, or as an
   * update whose after image names the pipeline; a delete is a reset, not an apply). The
   * column is read by name: binlog_row_metadata=FULL is a precheck.
   */
  private recordMarks(open: OpenTransaction, event: Extract<AssemblerEvent, { type: 'rows' }>): void {
    if (event.kind === 'delete') return;
    for (const row of event.rows) {
      const image = (event.kind === 'insert' ? row : (row as { after: Row }).after) as Row;
      const pipeline = image[MARK_COLUMN];
      if (typeof pipeline !== 'string') {
        throw new FerryError('FERRY_ERR_BINLOG_UNSUPPORTED', {
          position: this.where(),
          detail: `a row of ${event.schema}.${event.table} without its ${MARK_COLUMN} column by name (binlog_row_metadata must be FULL on the source)`,
        });
      }
      addMark(open, pipeline);
    }
  }

  private pushQuery(event: Extract<AssemblerEvent, { type: 'query' }>): void {
    const statement = event.sql.trim();
    const control = parseControlStatement(statement);
    const where = (): string => this.where(event.nextPosition);
    // Savepoints, XA steps and statements change what the row events alone would apply.
    if (this.open && control?.kind !== 'begin' && control?.kind !== 'commit') this.open.raw = undefined;
    switch (control?.kind) {
      case 'begin':
        this.open ??= { changes: [], bytes: 0, timestamp: event.timestamp, ...this.replayStart() };
        this.open.begun = true;
        return;
      case 'commit':
        this.commit(event.nextPosition, event.timestamp);
        return;
      case 'rollback':
        // The server logs a ROLLBACK only for a group that changed non-transactional tables;
        // in ROW format their rows are logged in a group of their own, so a rolled-back
        // group holds no rows. One that does came from a session in another format.
        if (this.open && this.open.changes.length > 0) {
          throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: where(), detail: `ROLLBACK of a transaction with ${this.open.changes.length} logged row changes` });
        }
        this.commit(event.nextPosition, event.timestamp);
        return;
      case 'savepoint':
        if (this.open) this.setSavepoint(this.open, control.name);
        return;
      case 'rollback_to':
        if (this.open) this.rollbackTo(this.open, control.name, where);
        return;
      case 'release':
        if (this.open) this.release(this.open, control.name);
        return;
      case 'xa':
        this.xaStep(control, event, where);
        return;
      case undefined:
        break;
    }
    // A statement opening a group that ends with a commit event (MariaDB's CREATE TABLE ...
    // SELECT: the statement, then the rows, then XID): one transaction with DDL and rows.
    // Several statements in such a group before any row: row changes a session logged as
    // statements. Each is kept, in order, for the DDL policy to classify.
    const open = this.open;
    const mark = readDdlMark(statement);
    if (open && open.standalone === false && open.changes.length === 0 && open.begun !== true && open.savepoints === undefined) {
      if (open.ddl) (open.laterStatements ??= []).push({ schema: event.schema, sql: statement });
      else open.ddl = { schema: event.schema, sql: statement };
      if (mark !== undefined) addMark(open, mark);
      return;
    }
    // Any other statement inside a transaction: the server commits the transaction before
    // DDL (as a group of its own), so a statement here is one Ferry cannot place.
    if (this.open && this.holdsWork(this.open)) {
      throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: where(), detail: `statement inside a transaction with ${this.open.changes.length} row changes: ${statement.slice(0, 80)}` });
    }
    // A statement of its own (DDL and the like): one transaction, committed implicitly.
    // Load marks the DDL it runs (ddl-mark.ts): the statement names the pipeline that applied it.
    const gtid = this.open?.gtid;
    this.open = undefined;
    this.emit({
      ...(gtid === undefined ? {} : { gtid }), end: this.position(event.nextPosition, gtid), timestamp: event.timestamp, changes: [], ddl: { schema: event.schema, sql: statement },
      ...(mark === undefined ? {} : { appliedBy: [mark] }),
    });
  }

  private setSavepoint(open: OpenTransaction, name: string): void {
    // A savepoint of the same name replaces the older one (savepoint names ignore case).
    const savepoints = (open.savepoints ?? []).filter((savepoint) => savepoint.name !== name);
    savepoints.push({ name, changes: open.changes.length, bytes: open.bytes });
    open.savepoints = savepoints;
  }

  /**
   * ROLLBACK TO reaches the binlog when the transaction also changed a non-transactional
   * table; in ROW format those rows are logged in a group of their own, so every row after
   * the savepoint here is transactional and was undone on the source: drop them too.
   */
  private rollbackTo(open: OpenTransaction, name: string, where: () => string): void {
    const savepoints = open.savepoints ?? [];
    const at = savepoints.findIndex((savepoint) => savepoint.name === name);
    const savepoint = savepoints[at];
    if (!savepoint) {
      throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: where(), detail: `ROLLBACK TO savepoint ${name}, which the transaction never set in the binlog` });
    }
    open.changes.length = savepoint.changes;
    open.bytes = savepoint.bytes;
    // Savepoints set after this one are gone; this one stays.
    open.savepoints = savepoints.slice(0, at + 1);
  }

  private release(open: OpenTransaction, name: string): void {
    const at = (open.savepoints ?? []).findIndex((savepoint) => savepoint.name === name);
    if (at >= 0) open.savepoints = open.savepoints!.slice(0, at);
  }

  /**
   * Two-phase XA: its rows are logged at XA END / PREPARE but commit at a later XA COMMIT,
   * under another GTID, which Ferry cannot apply exactly. One that touches no replicated
   * table is passed over as an empty transaction, and so is its XA COMMIT later; an XA
   * ROLLBACK commits nothing. Anything else stops: an XA transaction with replicated rows, or
   * an XA COMMIT whose prepared rows this reader did not see (prepared before its start).
   */
  private xaStep(control: { verb: string; xid: string }, event: Extract<AssemblerEvent, { type: 'query' }>, where: () => string): void {
    const open = this.open;
    const passOver = (): void => {
      if (open) open.changes = [];
      this.commit(event.nextPosition, event.timestamp);
    };
    if (control.verb === 'END' && open && !open.changes.some((change) => this.replicates(change.schema, change.table))) {
      this.passedXa.add(control.xid);
      passOver();
      return;
    }
    if (control.verb === 'ROLLBACK' && !(open && open.changes.length > 0)) {
      this.passedXa.delete(control.xid);
      passOver();
      return;
    }
    if (control.verb === 'COMMIT' && this.passedXa.delete(control.xid) && !(open && open.changes.length > 0)) {
      passOver();
      return;
    }
    throw new FerryError('FERRY_ERR_BINLOG_XA', { position: where(), detail: event.sql.trim().slice(0, 80) });
  }

  private commit(nextPosition: number, timestamp: number): void {
    const open: OpenTransaction = this.open ?? { changes: [], bytes: 0, timestamp, raw: undefined, format: undefined };
    this.open = undefined;
    // Built field by field, no spreads: once per source transaction, the cost of a
    // single-row transaction is mostly this kind of bookkeeping.
    const transaction: SourceTransaction = { end: this.position(nextPosition, open.gtid), timestamp, changes: open.changes, bytes: open.bytes };
    if (open.gtid !== undefined) transaction.gtid = open.gtid;
    if (open.ddl) transaction.ddl = open.ddl;
    if (open.laterStatements) transaction.laterStatements = open.laterStatements;
    if (open.appliedBy) transaction.appliedBy = open.appliedBy;
    const raw = open.raw;
    if (raw !== undefined && open.format !== undefined && open.changes.length > 0 && !open.ddl && !open.laterStatements && replaysAsStatements(raw)) {
      transaction.replay = { format: open.format, events: raw };
    }
    this.emit(transaction);
  }

  /** Where an error happened: file and offset when known, and the open transaction's GTID. */
  private where(pos?: number): string {
    const gtid = this.open?.gtid;
    return `${this.file}${pos ? `:${pos}` : ''}${gtid === undefined ? '' : ` (GTID ${gtid})`}`;
  }

  /** The point after a transaction; folds its GTID into the executed set first. */
  private position(pos: number, gtid: string | undefined): SourcePosition {
    if (!this.executed) return { file: this.file, pos };
    if (gtid !== undefined) this.executed.add(gtid);
    return { file: this.file, pos, gtidSet: this.executed.toString() };
  }
}
