import type { FlavorTraits } from './flavor-traits.ts';
import { asText, queryFirstColumn, queryRows, type SqlClient } from './sql.ts';
import type { CheckOutcome, ResumePosition } from './types.ts';

/**
 * Whether the source still holds the binlog from the resume position on.
 *
 * - With a GTID set (even an empty one) the check follows the GTID, as the binlog reader
 *   resumes by it (after a master switch the file name belongs to another server and proves
 *   nothing):
 *   MySQL: every GTID in @@gtid_purged must be in the position (GTID_SUBTRACT).
 *   MariaDB: the oldest binlog file begins with a Gtid_list of the last GTID per domain
 *   before it; BINLOG_GTID_POS(oldest, 4) reads it from the file header. For each domain in
 *   it, the position must be at least that sequence number, or transactions it needs are gone.
 *   @@gtid_binlog_state cannot answer this: it keeps the last GTID of purged files too.
 * - With only a file: the file must be in SHOW BINARY LOGS, and the offset within its size.
 */
export async function checkBinlogRetention(client: SqlClient, flavor: FlavorTraits, resumeFrom: ResumePosition | undefined): Promise<CheckOutcome> {
  // An empty GTID set is a position too: "from the beginning", as the reader takes it.
  const gtid = resumeFrom?.gtid?.replace(/^gtid:/i, '').trim();
  if (gtid !== undefined) {
    return flavor.name === 'mariadb' ? checkMariaDbGtid(client, gtid) : checkMySqlGtid(client, gtid);
  }
  if (resumeFrom?.file !== undefined && resumeFrom.file !== '') return checkFile(client, resumeFrom.file, resumeFrom.pos);
  return { ok: true, detail: 'no checkpoint to resume from: the pipeline starts at the current source position' };
}

interface BinlogFile {
  name: string;
  size: number;
}

async function listBinlogs(client: SqlClient): Promise<BinlogFile[]> {
  const rows = await queryRows(client, 'SHOW BINARY LOGS');
  return rows.map((row) => ({ name: asText(row.Log_name) ?? '', size: Number(row.File_size) }));
}

const KEEP_LONGER = 'Keep binlogs longer on the source from now on (binlog_expire_logs_seconds, or expire_logs_days on MariaDB before 10.6).';
const RECOPY_STEPS = "re-copy the replicated tables to the target (full sync) and start the pipeline again from the source's current position.";
const RECOPY = `To recover, ${RECOPY_STEPS} ${KEEP_LONGER}`;

function purged(position: string, detail: string): CheckOutcome {
  return { ok: false, detail, instruction: RECOPY, error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position } } };
}

const NO_BINLOGS: CheckOutcome = {
  ok: false,
  detail: 'the source lists no binary logs (log_bin is off)',
  instruction: 'Turn the binary log on at the source (see the server_id check), then re-copy the tables: nothing from before was logged.',
};

/** 'mysql-bin.000012' → ['mysql-bin', 12] */
function splitBinlogName(name: string): [string, number] | undefined {
  const match = /^(.*)\.(\d+)$/.exec(name);
  return match ? [match[1] as string, Number(match[2])] : undefined;
}

async function checkFile(client: SqlClient, file: string, pos: number | undefined): Promise<CheckOutcome> {
  const logs = await listBinlogs(client);
  const oldest = logs[0];
  const newest = logs[logs.length - 1];
  if (!oldest || !newest) return NO_BINLOGS;
  const held = `${oldest.name} to ${newest.name}`;
  const position = pos === undefined ? file : `${file}:${pos}`;
  const found = logs.find((log) => log.name === file);
  if (found) {
    if (pos !== undefined && pos > found.size) {
      return {
        ok: false,
        detail: `position ${position} is past the end of ${file} (${found.size} bytes): the checkpoint belongs to another server, or the source's binlogs were reset`,
        instruction: `Check that the pipeline points at the right source; if its binlogs were reset, ${RECOPY_STEPS}`,
      };
    }
    return { ok: true, detail: `the source still holds ${file} (it holds ${held})` };
  }
  const wanted = splitBinlogName(file);
  const first = splitBinlogName(oldest.name);
  if (wanted && first && wanted[0] === first[0] && wanted[1] < first[1]) {
    return purged(position, `${file} was purged: the oldest binlog on the source is ${oldest.name}`);
  }
  return {
    ok: false,
    detail: `the source has no binlog ${file} (it holds ${held}): the checkpoint belongs to another server, or the source's binlogs were reset`,
    instruction: `Check that the pipeline points at the right source. If it does, ${RECOPY_STEPS} ${KEEP_LONGER}`,
  };
}

async function checkMySqlGtid(client: SqlClient, gtid: string): Promise<CheckOutcome> {
  const [missing] = await queryFirstColumn(client, 'SELECT GTID_SUBTRACT(@@GLOBAL.gtid_purged, ?)', [gtid]);
  const lost = (missing ?? '').replace(/\s+/g, '');
  if (lost === '') return { ok: true, detail: `every GTID the source purged is in the resume position '${gtid}'` };
  return purged(gtid, `the source purged transactions the pipeline has not applied: ${lost}`);
}

/** MariaDB GTID position → highest sequence number per domain. Throws on malformed text. */
export function parseMariaDbGtidPosition(text: string): Map<number, bigint> {
  const byDomain = new Map<number, bigint>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!match) throw new Error(`'${part}' is not a MariaDB GTID (domain-server-sequence)`);
    const domain = Number(match[1]);
    const seq = BigInt(match[3] as string);
    const known = byDomain.get(domain);
    if (known === undefined || seq > known) byDomain.set(domain, seq);
  }
  return byDomain;
}

/**
 * Domains whose transactions the position still needs but the source purged: the oldest
 * binlog starts after sequence S of domain d (its Gtid_list), and the position has not
 * reached S in d (or has never seen d).
 */
export function purgedMariaDbDomains(position: ReadonlyMap<number, bigint>, oldestStart: ReadonlyMap<number, bigint>): Array<{ domain: number; needsAfter: bigint | undefined; purgedUpTo: bigint }> {
  const gaps: Array<{ domain: number; needsAfter: bigint | undefined; purgedUpTo: bigint }> = [];
  for (const [domain, purgedUpTo] of oldestStart) {
    const needsAfter = position.get(domain);
    if (needsAfter === undefined || needsAfter < purgedUpTo) gaps.push({ domain, needsAfter, purgedUpTo });
  }
  return gaps;
}

async function checkMariaDbGtid(client: SqlClient, gtid: string): Promise<CheckOutcome> {
  let position: Map<number, bigint>;
  try {
    position = parseMariaDbGtidPosition(gtid);
  } catch (error) {
    return { ok: false, detail: `resume position ${gtid}: ${(error as Error).message}`, instruction: "Give a MariaDB GTID position such as '0-1-100,1-2-7'." };
  }
  // The oldest file may be purged between listing it and reading it: list again then.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const oldest = (await listBinlogs(client))[0];
    if (!oldest) return NO_BINLOGS;
    const [start] = await queryFirstColumn(client, 'SELECT BINLOG_GTID_POS(?, 4)', [oldest.name]);
    if (start === null || start === undefined) continue;
    const gaps = purgedMariaDbDomains(position, parseMariaDbGtidPosition(start));
    if (gaps.length === 0) {
      return { ok: true, detail: `the source still holds every transaction after '${gtid}' (oldest binlog ${oldest.name} starts after '${start}')` };
    }
    const which = gaps.map((gap) => gap.needsAfter === undefined
      ? `domain ${gap.domain} is not in the position, but its transactions up to seq ${gap.purgedUpTo} are purged`
      : `domain ${gap.domain} needs transactions after seq ${gap.needsAfter}, purged up to seq ${gap.purgedUpTo}`);
    return purged(gtid, `the source purged transactions the pipeline has not applied: the oldest binlog ${oldest.name} starts after '${start}'; ${which.join('; ')}`);
  }
  return {
    ok: false,
    detail: 'could not read the GTID list of the oldest binlog (BINLOG_GTID_POS returned NULL twice): binlogs are being purged right now',
    instruction: 'Run the prechecks again once the purge is over.',
  };
}
