import type { Connection, RowDataPacket } from 'mysql2/promise';
import { chunkChecksumSql, keyAtSql, rowHashesSql, type KeyRange, type KeyValues, type TableSide } from './row-sql.ts';
import type { SourceTable } from './table-pair.ts';

/** A chunk's row count and order-independent checksum (decimal text of a 64-bit value). */
export interface ChunkSum {
  n: number;
  x: string;
}

export interface RowHash {
  key: KeyValues;
  hash: string;
}

/**
 * One server as verify sees it: what it computes on its own rows. The same SQL runs on either
 * server; a side is a connection to the server (SqlVerifySide) or, for the source of a split
 * pipeline, requests over the pipe answered by the select node next to the source
 * (node/verify/pipe-verify-side.ts), so that no database port is opened across datacenters.
 */
export interface VerifySide {
  checksum(table: TableSide, range: KeyRange): Promise<ChunkSum>;
  /** The key `offset` rows into the range in key order; undefined past its end. */
  keyAt(table: TableSide, range: KeyRange, offset: number): Promise<KeyValues | undefined>;
  /** Each row's key and hash in a small range, in key order. */
  rowHashes(table: TableSide, range: KeyRange): Promise<RowHash[]>;
}

/** The source's side also lists the tables the rules replicate and tells where its binlog is. */
export interface SourceVerifySide extends VerifySide {
  tables(): Promise<SourceTable[]>;
  /** The source's GTID position now (@@gtid_binlog_pos); undefined when it has none. */
  position(): Promise<string | undefined>;
}

const keyOf = (row: RowDataPacket, key: readonly string[]): KeyValues => key.map((column) => row[column] as unknown);

/** A side over one connection, in a session verify-run.ts opened (values as text, UTC). */
export class SqlVerifySide implements VerifySide {
  constructor(protected readonly connection: Connection) {}

  async checksum(table: TableSide, range: KeyRange): Promise<ChunkSum> {
    const [row] = await this.rows(chunkChecksumSql(table, range));
    return { n: Number(row?.n ?? 0), x: String(row?.x ?? '0') };
  }

  async keyAt(table: TableSide, range: KeyRange, offset: number): Promise<KeyValues | undefined> {
    const [row] = await this.rows(keyAtSql(table, range, offset));
    return row === undefined ? undefined : keyOf(row, table.key);
  }

  async rowHashes(table: TableSide, range: KeyRange): Promise<RowHash[]> {
    return (await this.rows(rowHashesSql(table, range))).map((row) => ({ key: keyOf(row, table.key), hash: String(row._ferry_h) }));
  }

  protected async rows(query: { sql: string; values: unknown[] }): Promise<RowDataPacket[]> {
    const [found] = await this.connection.query<RowDataPacket[]>(query.sql, query.values);
    return found;
  }
}

/** The source over a connection: its tables from the pipeline's rules, its GTID position. */
export class SqlSourceSide extends SqlVerifySide implements SourceVerifySide {
  constructor(connection: Connection, private readonly describe: (connection: Connection) => Promise<SourceTable[]>) {
    super(connection);
  }

  tables(): Promise<SourceTable[]> {
    return this.describe(this.connection);
  }

  /** MariaDB's gtid_binlog_pos, else MySQL's gtid_executed (the other variable does not exist there). */
  async position(): Promise<string | undefined> {
    for (const variable of ['gtid_binlog_pos', 'gtid_executed']) {
      const [row] = await this.rows({ sql: `SELECT @@GLOBAL.${variable} AS p`, values: [] }).catch(() => [] as RowDataPacket[]);
      const text: unknown = row?.p;
      if (typeof text === 'string' && text.trim() !== '') return text.trim();
    }
    return undefined;
  }
}
