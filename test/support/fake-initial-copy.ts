import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type RowDataPacket } from 'mysql2/promise';

/*
 * A stand-in for `bin/ferry run --initial-copy` in the full-sync benchmark harness's tests
 * (test/integration/bench/): copies the one table of --tables from --source to --target by
 * key chunks, then streams nothing and waits for SIGTERM. So the harness's measured path can
 * be tested before the real copy exists. With --stale (before `run`) it writes what it read
 * only after the source has changed since, so the copy surely misses writes: the harness's
 * path for a copy that does not end identical.
 */

const CHUNK = 500;
const { values } = parseArgs({ args: process.argv.slice(2), strict: false, options: { stale: { type: 'boolean' }, source: { type: 'string' }, target: { type: 'string' }, tables: { type: 'string' } } });
const [schema, table] = String(values.tables).split('.') as [string, string];
const name = `\`${schema}\`.\`${table}\``;
const source = await mysql.createConnection({ uri: String(values.source), dateStrings: true });
const target = await mysql.createConnection({ uri: String(values.target), dateStrings: true });
const checksum = async (): Promise<string> => String((await source.query<RowDataPacket[]>(`CHECKSUM TABLE ${name}`))[0][0]?.Checksum);

const chunks: unknown[][][] = [];
let after = 0;
for (;;) {
  const [rows] = await source.query<RowDataPacket[]>(`SELECT * FROM ${name} WHERE id > ? ORDER BY id LIMIT ${CHUNK}`, [after]);
  if (rows.length === 0) break;
  chunks.push(rows.map((row): unknown[] => Object.values(row as Record<string, unknown>)));
  after = Number(rows[rows.length - 1]!.id);
}
if (values.stale) {
  const read = await checksum();
  while ((await checksum()) === read) await sleep(50);
}
for (const rows of chunks) await target.query(`REPLACE INTO ${name} VALUES ?`, [rows]);
await source.end();
await target.end();
process.once('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 60_000);
