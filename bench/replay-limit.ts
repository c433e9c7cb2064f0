import type { Connection, RowDataPacket } from 'mysql2/promise';
import { CpuSnapshot, PROCESS, SELF, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import type { CapturedBacklog } from './replay-capture.ts';

/** Target transactions of at least this many row changes (whole source transactions), as the mysql2 limits' 1,000-row transactions. */
const ROWS_PER_TRANSACTION = 1000;
/** Room left in max_allowed_packet for the statement's text around the base64 and the packet header. */
const PACKET_MARGIN = 1024;

export interface ReplayLimit {
  rowsPerSecond: number;
  rows: number;
  transactions: number;
  statements: number;
  capturedBy: CapturedBacklog['capturedBy'];
  /** CPU of the copy's server and of the benchmark's own process (mysql2 sends from there). */
  cpu: CpuUse;
}

/**
 * The backlog as target transactions of BINLOG statements: whole source transactions
 * gathered until a target transaction holds `rowsPerTransaction` row changes; each statement
 * the Format_description event and then whole source transactions' events (a statement's row
 * events never split from their table maps), as many as fit in `maxStatementBytes`.
 */
export function replayTransactions(backlog: Pick<CapturedBacklog, 'format' | 'transactions'>, rowsPerTransaction: number, maxStatementBytes: number): string[][] {
  const statementOf = (events: Buffer[]): string => `BINLOG '${Buffer.concat([backlog.format, ...events]).toString('base64')}'`;
  // base64 takes 4 bytes for every 3, rounded up, and the statement adds 9 characters.
  const statementBytes = (eventBytes: number): number => 4 * Math.ceil((backlog.format.length + eventBytes) / 3) + 9;
  const transactions: string[][] = [];
  let statements: string[] = [];
  let events: Buffer[] = [];
  let eventBytes = 0;
  let rows = 0;
  const endStatement = (): void => {
    if (events.length > 0) statements.push(statementOf(events));
    events = [];
    eventBytes = 0;
  };
  for (const transaction of backlog.transactions) {
    const bytes = transaction.events.reduce((sum, event) => sum + event.length, 0);
    if (statementBytes(bytes) > maxStatementBytes) throw new Error(`a source transaction of ${bytes} bytes of events does not fit in one BINLOG statement of ${maxStatementBytes} bytes`);
    if (statementBytes(eventBytes + bytes) > maxStatementBytes) endStatement();
    events.push(...transaction.events);
    eventBytes += bytes;
    rows += transaction.rows;
    if (rows >= rowsPerTransaction) {
      endStatement();
      transactions.push(statements);
      statements = [];
      rows = 0;
    }
  }
  endStatement();
  if (statements.length > 0) transactions.push(statements);
  return transactions;
}

/**
 * The target's row applier alone: the backlog's captured row events handed to `copy` (whose
 * tables are as the backlog started) in BINLOG statements, 1 connection, transactions of
 * 1,000 row changes or more, as Load's replay would write them with nothing to read or
 * decode. Statements are built before the clock starts, as for the mysql2 limits.
 */
export async function measureReplayLimit(copy: Connection, backlog: CapturedBacklog, cpuOf: Record<string, CpuSubject>): Promise<ReplayLimit> {
  const [packet] = await copy.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS m');
  const transactions = replayTransactions(backlog, ROWS_PER_TRANSACTION, Number(packet[0]?.m) - PACKET_MARGIN);
  const rows = backlog.transactions.reduce((sum, t) => sum + t.rows, 0);
  const cpu = new CpuSnapshot({ ...cpuOf, [PROCESS.bench]: SELF });
  const started = performance.now();
  for (const statements of transactions) {
    await copy.beginTransaction();
    for (const sql of statements) await copy.query(sql);
    await copy.commit();
  }
  const rowsPerSecond = Math.round(rows / ((performance.now() - started) / 1000));
  return { rowsPerSecond, rows, transactions: transactions.length, statements: transactions.reduce((sum, t) => sum + t.length, 0), capturedBy: backlog.capturedBy, cpu: cpu.since(rows) };
}
