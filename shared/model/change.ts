/**
 * What flows between the stages: source transactions made of row changes. Plain data only
 * (structured-clonable), so a stage may run in a worker thread or across a remote pipe.
 */

/** A column as the binlog describes it (names from binlog_row_metadata=FULL). */
export interface ColumnInfo {
  name: string;
  /** MySQL type code from the TABLE_MAP event (node_modules/@vlasky/zongji/lib/code_map.js). */
  typeCode: number;
  /** Type text as in INFORMATION_SCHEMA.COLUMNS.COLUMN_TYPE where known, e.g. 'decimal(10,2)'. */
  columnType: string;
  /** Character set of a text column; null for binary and non-text columns. */
  charset: string | null;
  unsigned: boolean;
}

/** Column name to value, as decoded from the binlog (see node/transform/values.ts). */
export type Row = Record<string, unknown>;

export interface TableRef {
  schema: string;
  table: string;
}

export type ChangeKind = 'insert' | 'update' | 'delete';

/**
 * Select's changes of a replaying reader give `before` and `after` through accessors that
 * decode on first read (node/select/lazy-row-change.ts): read them by name; a spread or a
 * structured clone of such a change does not carry them.
 */
export interface RowChange extends TableRef {
  kind: ChangeKind;
  /** Before image: update and delete. */
  before?: Row;
  /** After image: insert and update. */
  after?: Row;
  /** Columns of the table when the change was written, in table order. */
  columns: ColumnInfo[];
}

/** A point in the source binlog: between two transactions. */
export interface SourcePosition {
  file: string;
  pos: number;
  /**
   * Executed GTID set at this point (MariaDB 'domain-server-seq,...' or MySQL 'uuid:1-9,...');
   * absent when the stream was not seeded with one (a start from a bare file and offset).
   */
  gtidSet?: string;
}

/** A DDL statement from a Query event. */
export interface DdlStatement {
  /** Default schema of the session that ran it (the Query event's schema). */
  schema: string;
  sql: string;
}

/**
 * Row events as the source wrote them, for the target's own row applier (docs/replay.md):
 * Load hands them to the target in a `BINLOG '<base64>'` statement inside the batch's
 * transaction, with the checkpoint, where they give the same rows as SQL would.
 */
export interface ReplayImage {
  /**
   * The Format_description event of the binlog the events came from, raw (19-byte header,
   * body, checksum when the source writes one): replayed first, it tells the target how to
   * read the rest. One Buffer shared by the transactions of a stream.
   */
  format: Buffer;
  /**
   * Table-map and row events in binlog order, each raw as read (header, body, checksum):
   * every table map and row event of the transaction, nothing left out, so each statement's
   * last row event (the one flagged STMT_END) is there.
   */
  events: Buffer[];
}

/** A target table of a replayed batch and the source columns its row events describe. */
export interface ReplayTable extends TableRef {
  columns: ColumnInfo[];
}

export interface SourceTransaction {
  /** GTID of this transaction: MariaDB 'domain-server-seq' or MySQL 'uuid:n'; absent without GTIDs. */
  gtid?: string;
  /** Position just after the transaction's commit event. */
  end: SourcePosition;
  /** Source commit time in ms since the epoch (binlog timestamp, second precision). */
  timestamp: number;
  changes: RowChange[];
  /** Binlog bytes of its row events: what bounds memory, whatever the width of the rows. Absent: 0. */
  bytes?: number;
  /**
   * Set when the transaction holds a DDL statement. `changes` are then empty, except for
   * CREATE TABLE ... SELECT, whose rows follow the statement in the same transaction.
   */
  ddl?: DdlStatement;
  /**
   * Further statements of the same group, after `ddl`: a session that logs statements
   * (binlog_format=STATEMENT) puts each row change of a transaction in a statement of its own.
   */
  laterStatements?: DdlStatement[];
  /**
   * The pipelines whose mark the transaction carries: the `pipeline` column of the
   * `<systemSchema>.checkpoints` rows it wrote (Load commits one with every batch), or the
   * `/* ferry:<pipeline> *\/` comment of its DDL. Absent: no Ferry pipeline applied it
   * (the application's own transaction). A bidirectional pipeline drops what its mirror applied.
   */
  appliedBy?: string[];
  /**
   * Set by the primary's direction of a bidirectional channel on its mirror's transactions:
   * forwarded, not dropped, and applied only where still true on the target
   * (docs/bidirectional.md, 3).
   */
  echo?: true;
  /**
   * Set by Select when every row event of the transaction is of a replicated table (none of
   * Ferry's marks, no table left out) and the stream knows its Format_description; dropped
   * by Extract when a hook may change rows. Absent: the transaction is applied by SQL.
   */
  replay?: ReplayImage;
}

/** A row change after Transform: target names, values ready for the target driver. */
export interface TargetChange extends TableRef {
  kind: ChangeKind;
  before?: Row;
  after?: Row;
}

/** What Load applies in one target transaction: whole source transactions, in order. */
export interface Batch {
  /** Position after the last source transaction of the batch: the checkpoint it commits. */
  end: SourcePosition;
  /** Transformed on first read where the batch may be replayed (node/pipeline/load-loop.ts). */
  changes: TargetChange[];
  /** Row changes in the batch (changes.length), known without transforming them. @default changes.length */
  rows?: number;
  /** Of `rows`, how many of each kind (counted from Select's changes, so a replayed batch is not transformed for it). @default counted from changes */
  ops?: Record<ChangeKind, number>;
  /** Number of source transactions folded in. */
  transactions: number;
  /** Source commit time of the last transaction (ms, whole seconds: the binlog's resolution), for lag. */
  sourceTimestamp: number;
  /** Local time (ms) the first transaction of the batch reached Transform: for the apply delay. */
  openedAt: number;
  /** A batch of an online copy, or of the stream replaying the copy's window (node/copy/). */
  copy?: BatchCopy;
  /**
   * Set by Transform when every transaction of the batch carries `replay` and every table of
   * the batch keeps all its columns (schema and table renames are in the table maps here).
   * Load replays these events instead of running `changes` as SQL where the target allows it
   * (docs/replay.md); `changes` stay for the SQL path and for the fallback.
   */
  replay?: ReplayImage;
  /**
   * With `replay`: each target table of the batch with the source's columns its events carry
   * (one entry per distinct column list), set by Transform: Load replays only where the target
   * table starts with those columns (node/load/replay-eligibility.ts).
   */
  replayTables?: ReplayTable[];
  /** Every transaction of the batch is an echo (SourceTransaction.echo): Load applies a key only where the target still holds its expected or final image. */
  echo?: true;
}

/** How Load treats a batch of an online copy and of the stream that replays its window. */
export interface BatchCopy {
  /** The copy's state (JSON) committed with the checkpoint; null once the copy is over. */
  state: string | null;
  /**
   * Rows may already hold newer images (copied later than the events replayed): a row that
   * collides on another unique key is replaced, not refused.
   */
  replace: boolean;
  /** Target rows of this key range that the batch does not write are deleted. */
  clear?: ClearRange;
}

/** A target table's key range (target names and values): after `after`, up to `upTo` included; open where absent. */
export interface ClearRange extends TableRef {
  key: string[];
  after?: Row;
  upTo?: Row;
}
