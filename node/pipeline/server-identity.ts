import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError } from '../../shared/errors/index.ts';

/** Runs one query and returns its rows, on one connection (a named lock is per connection). */
export type RowsOf = (sql: string, values?: unknown[]) => Promise<RowDataPacket[]>;

/**
 * Whether two sessions reach one server, whatever names reached it (`localhost` and
 * `127.0.0.1`, a DNS alias, two data sources of one host). Asked, not guessed: one session
 * takes a named lock of a random name (takeProbe), and the other asks whether that lock is in
 * use (probeSeen). Named locks live in one server and are never replicated, so the answer is
 * exact where host names, ports, server ids and even MySQL's @@server_uuid (copied with a
 * cloned data directory) can mislead. The two halves need only the lock's name between them:
 * the select side takes it on the source and sends it in its resume request, the load side
 * looks for it on the target, and neither connects to the other's server.
 */
export async function takeProbe(db: RowsOf): Promise<string | undefined> {
  const probe = `ferry-probe:${randomBytes(12).toString('hex')}`;
  const [taken] = await db('SELECT GET_LOCK(?, 0) AS got', [probe]);
  return Number(taken?.got) === 1 ? probe : undefined;
}

/** Frees a lock takeProbe took (closing its session frees it too). */
export async function releaseProbe(db: RowsOf, probe: string): Promise<void> {
  await db('SELECT RELEASE_LOCK(?)', [probe]);
}

/** Whether the probe lock, taken on another session, is held on this session's server. */
export async function probeSeen(db: RowsOf, probe: string): Promise<boolean> {
  const [seen] = await db('SELECT IS_USED_LOCK(?) IS NOT NULL AS used', [probe]);
  return Number(seen?.used) === 1;
}

/** Host name and port as the server itself reports them, for the message. */
export async function serverName(db: RowsOf): Promise<string> {
  const [row] = await db('SELECT @@hostname AS host, @@port AS port');
  return `${String(row?.host)}:${String(row?.port)}`;
}

/**
 * Refuses a pipeline whose source and target are one server (the probe, taken on the
 * source, is held on the target): it would replicate its own checkpoint writes forever.
 */
export async function refuseSelfReplication(pipeline: { name: string; source: MysqlEndpoint; target: MysqlEndpoint }, probe: string, target: RowsOf): Promise<void> {
  if (!(await probeSeen(target, probe))) return;
  throw new FerryError('FERRY_ERR_SOURCE_IS_TARGET', {
    pipeline: pipeline.name,
    source: `${pipeline.source.host}:${pipeline.source.port}`,
    target: `${pipeline.target.host}:${pipeline.target.port}`,
    identity: await serverName(target),
  });
}
