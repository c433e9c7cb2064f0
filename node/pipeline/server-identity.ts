import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError } from '../../shared/errors/index.ts';

/** Runs one query and returns its rows, on one connection (a named lock is per connection). */
export type RowsOf = (sql: string, values?: unknown[]) => Promise<RowDataPacket[]>;

/**
 * Whether two sessions reach one server, whatever names reached it (`localhost` and
 * `127.0.0.1`, a DNS alias, two data sources of one host). Asked, not guessed: the target
 * session takes a named lock of a random name, and the source session asks whether that lock
 * is in use. Named locks live in one server and are never replicated, so the answer is exact
 * where host names, ports, server ids and even MySQL's @@server_uuid (copied with a cloned
 * data directory) can mislead.
 */
export async function onOneServer(source: RowsOf, target: RowsOf): Promise<boolean> {
  const probe = `ferry-probe:${randomBytes(12).toString('hex')}`;
  const [taken] = await target('SELECT GET_LOCK(?, 0) AS got', [probe]);
  if (Number(taken?.got) !== 1) return false;
  try {
    const [seen] = await source('SELECT IS_USED_LOCK(?) IS NOT NULL AS used', [probe]);
    return Number(seen?.used) === 1;
  } finally {
    await target('SELECT RELEASE_LOCK(?)', [probe]);
  }
}

/** Host name and port as the server itself reports them, for the message. */
export async function serverName(db: RowsOf): Promise<string> {
  const [row] = await db('SELECT @@hostname AS host, @@port AS port');
  return `${String(row?.host)}:${String(row?.port)}`;
}

/** Refuses a pipeline whose source and target are one server: it would replicate its own checkpoint writes forever. */
export async function refuseSelfReplication(pipeline: { name: string; source: MysqlEndpoint; target: MysqlEndpoint }, source: RowsOf, target: RowsOf): Promise<void> {
  if (!(await onOneServer(source, target))) return;
  throw new FerryError('FERRY_ERR_SOURCE_IS_TARGET', {
    pipeline: pipeline.name,
    source: `${pipeline.source.host}:${pipeline.source.port}`,
    target: `${pipeline.target.host}:${pipeline.target.port}`,
    identity: await serverName(target),
  });
}
