// Pipe compression benchmark: `npm run bench:pipe-codecs [-- --quick]` (or `node --import tsx bench/pipe-codecs.ts`).
// Starts one MariaDB of its own under .ferry/bench-pipe-codecs (stopped and purged at the end),
// runs sysbench's oltp_write_only on it (bench/sysbench-write-only.ts), reads the run's
// transactions back through Ferry's own binlog reader, and measures every codec Node ships
// on them (bench/pipe-codec-measure.ts). Prints markdown tables for docs/benchmarks.md and
// writes bench/results/pipe-codecs-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { BinlogReader } from '../node/select/binlog-reader.ts';
import { PIPELINE_DEFAULTS } from '../shared/config/pipeline-spec.ts';
import { createLogger, silentLogger } from '../shared/logging.ts';
import type { SourceTransaction } from '../shared/model/change.ts';
import { defaultStateDir, findFreeBase, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { reachedGtid, readGtidPos } from './gtid-pos.ts';
import { keysAndChangedColumns, keysOnlyBefore, measureBatchSize, type CodecFigures, type ScopeFigures } from './pipe-codec-measure.ts';
import { sysbenchPrepare, sysbenchWriteOnly, SYSBENCH_SCHEMA } from './sysbench-write-only.ts';

const quick = process.argv.includes('--quick');
const SYSBENCH = { tables: 4, tableSize: 10_000, transactions: quick ? 1_000 : 5_000, seed: 13 };
const BATCH_ROWS = [100, 1000];
/** Codecs for the keys-only variant: the cheap ones worth choosing between. */
const VARIANT_CODECS = ['none', 'deflate-1', 'deflate-3', 'brotli-1', 'brotli-4'];
const stateDir = join(defaultStateDir(), '..', 'bench-pipe-codecs');
const log = createLogger({ level: 'warn' });
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function binlogEnd(connection: Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW MASTER STATUS');
  return { file: String(rows[0]?.File), pos: Number(rows[0]?.Position) };
}

/** Every transaction from `fromGtid` up to `toGtid`, through Ferry's reader (its value decoding, its assembler). */
async function readTransactions(db: MariaDbInstance, state: ServicesState, fromGtid: string, toGtid: string): Promise<SourceTransaction[]> {
  const transactions: SourceTransaction[] = [];
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const onTransaction = (transaction: SourceTransaction): void => {
    transactions.push(transaction);
    if (reachedGtid(transaction.end.gtidSet, toGtid)) finish();
  };
  const endpoint = { host: db.host, port: db.port, ...state.users.replication };
  const reader = new BinlogReader({ endpoint, serverId: 4_242_013, start: { file: '', pos: 4, gtidSet: fromGtid }, heartbeatMs: PIPELINE_DEFAULTS.heartbeatMs, silenceMs: PIPELINE_DEFAULTS.sourceSilenceMs, log: silentLogger(), onTransaction, onError: fail });
  await reader.start();
  try {
    await finished;
  } finally {
    await reader.stop();
  }
  return transactions;
}

const f = (value: number, digits = 1): string => value.toFixed(digits);

function printCodecs(figures: CodecFigures[]): void {
  out('| batch rows | codec | wire B/row | vs encoded | vs binlog | compress µs/row | decompress µs/row | rows/s on 20 Mbit/s |');
  out('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const c of figures) {
    out(`| ${c.batchRows} | ${c.codec} | ${f(c.wireBytesPerRow)} | ${f(c.ratioToEncoded * 100)}% | ${f(c.ratioToBinlog * 100)}% | ${f(c.compressMicrosPerRow, 2)} | ${f(c.decompressMicrosPerRow, 2)} | ${Math.round(c.linkRowsPerSecond).toLocaleString('en-US')} |`);
  }
}

function printScopes(figures: ScopeFigures[]): void {
  out('| batch rows | table columns sent | encoded B/row | encode µs/row | decode µs/row |');
  out('|---:|---|---:|---:|---:|');
  for (const s of figures) out(`| ${s.batchRows} | once per ${s.tableScope} | ${f(s.encodedBytesPerRow)} | ${f(s.encodeMicrosPerRow, 2)} | ${f(s.decodeMicrosPerRow, 2)} |`);
}

async function main(): Promise<void> {
  await servicesDown(stateDir, log, { purge: true });
  const base = await findFreeBase([1000]);
  const state = await servicesUp({ stateDir, zkServers: 0, mariadb: 1, mariadbPort: base + 1000 }, log);
  const connections: Connection[] = [];
  try {
    const db = state.mariadb[0]!;
    const open = async (): Promise<Connection> => {
      const connection = await mysql.createConnection({ host: db.host, port: db.port, user: state.users.app.user, password: state.users.app.password });
      connections.push(connection);
      return connection;
    };
    const writers = await Promise.all([1, 2, 3, 4].map(open));
    out(`sysbench oltp_write_only: prepare ${SYSBENCH.tables} tables of ${SYSBENCH.tableSize} rows, then ${SYSBENCH.transactions} transactions on 4 connections`);
    await sysbenchPrepare(writers[0]!, SYSBENCH);
    const fromGtid = await readGtidPos(writers[0]!);
    const start = await binlogEnd(writers[0]!);
    const committed = await sysbenchWriteOnly(writers, SYSBENCH);
    const toGtid = await readGtidPos(writers[0]!);
    const end = await binlogEnd(writers[0]!);
    if (end.file !== start.file) throw new Error(`the binlog rotated during the run (${start.file} to ${end.file}); measure a smaller run`);
    const binlogBytes = end.pos - start.pos;
    const transactions = await readTransactions(db, state, fromGtid, toGtid);
    const rows = transactions.reduce((sum, t) => sum + t.changes.length, 0);
    const rowEventBytes = transactions.reduce((sum, t) => sum + (t.bytes ?? 0), 0);
    out(`${committed} transactions committed, ${transactions.length} read back: ${rows} row changes, ${binlogBytes} binlog bytes (${f(binlogBytes / rows)} per row change, annotations off; row events alone ${f(rowEventBytes / rows)})\n`);
    const results = BATCH_ROWS.map((batchRows) => measureBatchSize(transactions, batchRows, binlogBytes));
    printScopes(results.flatMap((r) => r.scopes));
    out('');
    printCodecs(results.flatMap((r) => r.codecs));
    const [keyRows] = await writers[0]!.query<RowDataPacket[]>("SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION", [SYSBENCH_SCHEMA]);
    const keys = new Map<string, string[]>();
    for (const row of keyRows) keys.set(String(row.t), [...(keys.get(String(row.t)) ?? []), String(row.c)]);
    const keysOnly = keysOnlyBefore(transactions, (_schema, table) => keys.get(table) ?? []);
    const variant = BATCH_ROWS.map((batchRows) => measureBatchSize(keysOnly, batchRows, binlogBytes, VARIANT_CODECS));
    out('\nBefore images cut to the primary key (not sent so today):\n');
    printCodecs(variant.flatMap((r) => r.codecs));
    const changedOnly = keysAndChangedColumns(transactions, (_schema, table) => keys.get(table) ?? []);
    const changedVariant = BATCH_ROWS.map((batchRows) => measureBatchSize(changedOnly, batchRows, binlogBytes, VARIANT_CODECS));
    out('\nBefore images cut to the primary key, updates to the key and the changed columns (not sent so today):\n');
    printCodecs(changedVariant.flatMap((r) => r.codecs));
    const json = { measuredAt: new Date().toISOString(), schema: SYSBENCH_SCHEMA, sysbench: SYSBENCH, transactions: transactions.length, rows, binlogBytes, rowEventBytes, scopes: results.flatMap((r) => r.scopes), codecs: results.flatMap((r) => r.codecs), keysOnlyBefore: variant.flatMap((r) => r.codecs), keysAndChangedColumns: changedVariant.flatMap((r) => r.codecs) };
    mkdirSync(join('bench', 'results'), { recursive: true });
    writeFileSync(join('bench', 'results', `pipe-codecs-${quick ? 'quick' : 'latest'}.json`), `${JSON.stringify(json, null, 2)}\n`);
  } finally {
    for (const connection of connections) await connection.end().catch(() => undefined);
    await servicesDown(stateDir, log, { purge: true });
  }
}

await main();
