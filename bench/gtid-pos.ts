import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The primary's binlog position as a MariaDB GTID list ('1-1-1200' or '0-1-5,1-1-1200'). */
export async function readGtidPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS g');
  return String(rows[0]?.g ?? '');
}

/** Sequence number per replication domain of a MariaDB GTID list. */
function sequences(gtidList: string): Map<string, bigint> {
  const byDomain = new Map<string, bigint>();
  for (const part of gtidList.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)-\d+-(\d+)$/.exec(part);
    if (!match) throw new Error(`'${part}' is not a MariaDB GTID`);
    byDomain.set(match[1]!, BigInt(match[2]!));
  }
  return byDomain;
}

/**
 * True when `position` includes `target`: in every domain of the target, the position's
 * sequence number is at least the target's. A position is the last GTID per domain, so this
 * holds exactly when everything up to the target has been applied.
 */
export function reachedGtid(position: string | undefined, target: string): boolean {
  if (position === undefined) return false;
  const have = sequences(position);
  for (const [domain, seq] of sequences(target)) {
    if ((have.get(domain) ?? -1n) < seq) return false;
  }
  return true;
}
