import type { RowDataPacket } from 'mysql2/promise';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError } from '../../shared/errors/index.ts';

/** Runs one query and returns its rows (a connection's or a pool's). */
export type RowsOf = (sql: string) => Promise<RowDataPacket[]>;

/**
 * What makes a server itself, whatever name reached it (`localhost` and `127.0.0.1`, a DNS
 * alias, two data sources of one host): MySQL's @@server_uuid where both sides have one
 * (MariaDB has none); otherwise host name, port, data directory and server id together, which
 * two servers share only when copied with all four unchanged.
 */
export interface ServerIdentity {
  uuid?: string;
  instance: string;
}

export async function serverIdentity(rowsOf: RowsOf): Promise<ServerIdentity> {
  const rows = await rowsOf('SELECT @@hostname AS host, @@port AS port, @@datadir AS datadir, @@server_id AS id');
  const row: Record<string, unknown> = rows[0] ?? {};
  const identity: ServerIdentity = { instance: `${String(row.host)}:${String(row.port)} datadir ${String(row.datadir)} server_id ${String(row.id)}` };
  // MariaDB has no @@server_uuid and refuses the query: the instance tuple stands alone.
  const uuid = await rowsOf('SELECT @@server_uuid AS uuid').then((r) => r[0]?.uuid as unknown, () => undefined);
  if (typeof uuid === 'string' && uuid !== '') identity.uuid = uuid;
  return identity;
}

export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  if (a.uuid !== undefined && b.uuid !== undefined) return a.uuid === b.uuid;
  return a.instance === b.instance;
}

/**
 * Refuses a pipeline whose source and target are one server: it would replicate its own
 * checkpoint writes forever. Compared by asking both servers, not by their addresses.
 */
export function refuseSelfReplication(pipeline: { name: string; source: MysqlEndpoint; target: MysqlEndpoint }, mine: ServerIdentity, theirs: ServerIdentity): void {
  if (!sameServer(mine, theirs)) return;
  throw new FerryError('FERRY_ERR_SOURCE_IS_TARGET', {
    pipeline: pipeline.name,
    source: `${pipeline.source.host}:${pipeline.source.port}`,
    target: `${pipeline.target.host}:${pipeline.target.port}`,
    identity: mine.uuid ?? mine.instance,
  });
}
