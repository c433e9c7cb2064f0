import type { GtidBehind } from './health-model.ts';

/**
 * How far `member` is behind `reference`, from their GTID positions (text as the servers
 * report them). MariaDB positions hold the last sequence number per domain, and sequence
 * numbers only grow within a domain, so per domain the difference is the transactions the
 * member lacks. MySQL sets hold intervals per source uuid: what the reference has and the
 * member does not is counted exactly. Anything else (mixed flavors, unparsable text, a missing
 * position) is "unknown": never guessed as caught up.
 */
export function gtidBehind(member: string | null, reference: string | null): GtidBehind {
  if (member === null || reference === null) return unknown('a position is missing');
  const flavorOf = (text: string) => (text.includes(':') ? 'mysql' : 'mariadb');
  const memberText = member.trim();
  const referenceText = reference.trim();
  const flavor = referenceText === '' ? flavorOf(memberText) : flavorOf(referenceText);
  if (memberText !== '' && referenceText !== '' && flavorOf(memberText) !== flavor) return unknown('one position is MariaDB, the other MySQL');
  const parsed = flavor === 'mariadb'
    ? [parseMariaDb(memberText), parseMariaDb(referenceText)] as const
    : [parseMySql(memberText), parseMySql(referenceText)] as const;
  const [mine, theirs] = parsed;
  if (mine === undefined || theirs === undefined) return unknown('a position cannot be parsed');
  return flavor === 'mariadb' ? compareMariaDb(mine as Map<string, bigint>, theirs as Map<string, bigint>) : compareMySql(mine as Map<string, Intervals>, theirs as Map<string, Intervals>);
}

const unknown = (why: string): GtidBehind => ({ transactions: null, domains: {}, ahead: [], unknown: why });

function parseMariaDb(text: string): Map<string, bigint> | undefined {
  const domains = new Map<string, bigint>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!match) return undefined;
    domains.set(match[1]!, BigInt(match[3]!));
  }
  return domains;
}

function compareMariaDb(mine: Map<string, bigint>, theirs: Map<string, bigint>): GtidBehind {
  let total = 0n;
  const domains: Record<string, number> = {};
  for (const [domain, seq] of theirs) {
    const lacking = seq - (mine.get(domain) ?? 0n);
    if (lacking > 0n) {
      domains[domain] = Number(lacking);
      total += lacking;
    }
  }
  const ahead = [...mine].filter(([domain, seq]) => seq > (theirs.get(domain) ?? 0n)).map(([domain]) => domain).sort();
  return { transactions: Number(total), domains, ahead };
}

type Intervals = Array<[bigint, bigint]>;

function parseMySql(text: string): Map<string, Intervals> | undefined {
  const sources = new Map<string, Intervals>();
  for (const part of text.replace(/\s/g, '').split(',').filter(Boolean)) {
    const [uuid, ...ranges] = part.split(':');
    if (!uuid || ranges.length === 0) return undefined;
    const intervals = sources.get(uuid.toLowerCase()) ?? [];
    for (const range of ranges) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(range);
      if (!match) return undefined;
      intervals.push([BigInt(match[1]!), BigInt(match[2] ?? match[1]!)]);
    }
    sources.set(uuid.toLowerCase(), intervals);
  }
  return sources;
}

/** Transactions in `a` that are not in `b` (both lists of closed intervals). */
function missingFrom(a: Intervals, b: Intervals): bigint {
  let missing = 0n;
  for (const [from, to] of a) {
    let covered = 0n;
    for (const [bFrom, bTo] of b) {
      const lo = from > bFrom ? from : bFrom;
      const hi = to < bTo ? to : bTo;
      if (hi >= lo) covered += hi - lo + 1n;
    }
    missing += to - from + 1n - covered;
  }
  return missing;
}

function compareMySql(mine: Map<string, Intervals>, theirs: Map<string, Intervals>): GtidBehind {
  let total = 0n;
  const domains: Record<string, number> = {};
  for (const [uuid, intervals] of theirs) {
    const lacking = missingFrom(intervals, mine.get(uuid) ?? []);
    if (lacking > 0n) {
      domains[uuid] = Number(lacking);
      total += lacking;
    }
  }
  const ahead = [...mine].filter(([uuid, intervals]) => missingFrom(intervals, theirs.get(uuid) ?? []) > 0n).map(([uuid]) => uuid).sort();
  return { transactions: Number(total), domains, ahead };
}
