import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { WrittenScenario } from './backlogs.ts';
import { CpuSnapshot, PROCESS, SELF, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import type { CapturedBacklog } from './replay-capture.ts';
import { catchUpResult, type CatchUpResult } from './segment-clock.ts';

/** Target transactions of at least this many row changes (whole source transactions), as the mysql2 limits' 1,000-row transactions. */
const ROWS_PER_TRANSACTION = 1000;
/** Room left in max_allowed_packet for the statement's text around the base64 and the packet header. */
const PACKET_MARGIN = 1024;

export interface ReplayLimit extends CatchUpResult {
  rows: number;
  transactions: number;
  statements: number;
  capturedBy: CapturedBacklog['capturedBy'];
  /** CPU of the copy's server and of the benchmark's own process (mysql2 sends from there). */
  cpu: CpuUse;
}

/** A target transaction of BINLOG statements, all of one scenario's source transactions. */
export interface ReplayTransaction {
  scenario: number;
  statements: string[];
}

/**
 * The backlog as target transactions of BINLOG statements: whole source transactions of one
 * scenario gathered until a target transaction holds `rowsPerTransaction` row changes (or the
 * scenario ends, so each is timed apart); each statement the Format_description event and
 * then whole source transactions' events (a statement's row events never split from their
 * table maps), as many as fit in `maxStatementBytes`.
 */
export function replayTransactions(backlog: Pick<CapturedBacklog, 'format' | 'transactions'>, rowsPerTransaction: number, maxStatementBytes: number): ReplayTransaction[] {
  const statementOf = (events: Buffer[]): string => `BINLOG '${Buffer.concat([backlog.format, ...events]).toString('base64')}'`;
  // base64 takes 4 bytes for every 3, rounded up, and the statement adds 9 characters.
  const statementBytes = (eventBytes: number): number => 4 * Math.ceil((backlog.format.length + eventBytes) / 3) + 9;
  const transactions: ReplayTransaction[] = [];
  let statements: string[] = [];
  let scenario = backlog.transactions[0]?.scenario ?? 0;
  let events: Buffer[] = [];
  let eventBytes = 0;
  let rows = 0;
  const endStatement = (): void => {
    if (events.length > 0) statements.push(statementOf(events));
    events = [];
    eventBytes = 0;
  };
  const endTransaction = (): void => {
    endStatement();
    if (statements.length > 0) transactions.push({ scenario, statements });
    statements = [];
    rows = 0;
  };
  for (const transaction of backlog.transactions) {
    if (transaction.scenario !== scenario) {
      endTransaction();
      scenario = transaction.scenario;
    }
    const bytes = transaction.events.reduce((sum, event) => sum + event.length, 0);
    if (statementBytes(bytes) > maxStatementBytes) throw new Error(`a source transaction of ${bytes} bytes of events does not fit in one BINLOG statement of ${maxStatementBytes} bytes`);
    if (statementBytes(eventBytes + bytes) > maxStatementBytes) endStatement();
    events.push(...transaction.events);
    eventBytes += bytes;
    rows += transaction.rows;
    if (rows >= rowsPerTransaction) endTransaction();
  }
  endTransaction();
  return transactions;
}

/**
 * The target's row applier alone: the backlog's captured row events handed to `copy` (whose
 * tables are as the backlog started) in BINLOG statements, 1 connection, transactions of
 * 1,000 row changes or more, as Load's replay would write them with nothing to read or
 * decode; timed per scenario like the catch-ups. Statements are built before the clock
 * starts, as for the mysql2 limits.
 */
export async function measureReplayLimit(copy: Connection, scenarios: WrittenScenario[], backlog: CapturedBacklog, cpuOf: Record<string, CpuSubject>): Promise<ReplayLimit> {
  const [packet] = await copy.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS m');
  const transactions = replayTransactions(backlog, ROWS_PER_TRANSACTION, Number(packet[0]?.m) - PACKET_MARGIN);
  const rows = backlog.transactions.reduce((sum, t) => sum + t.rows, 0);
  const cpu = new CpuSnapshot({ ...cpuOf, [PROCESS.bench]: SELF });
  const started = performance.now();
  const reachedAt: number[] = [];
  for (const [i, { scenario, statements }] of transactions.entries()) {
    await copy.beginTransaction();
    for (const sql of statements) await copy.query(sql);
    await copy.commit();
    if (transactions[i + 1]?.scenario !== scenario) reachedAt[scenario] = performance.now();
  }
  const use = cpu.since(rows);
  if (scenarios.some((_, i) => reachedAt[i] === undefined)) throw new Error('a scenario of the backlog has no captured row events');
  const statements = transactions.reduce((sum, t) => sum + t.statements.length, 0);
  return { ...catchUpResult(scenarios, started, reachedAt), rows, transactions: transactions.length, statements, capturedBy: backlog.capturedBy, cpu: use };
}
