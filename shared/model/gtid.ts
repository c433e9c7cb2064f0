import { FerryError } from '../errors/index.ts';

/**
 * The executed GTID set of a stream, advanced one transaction at a time. Two flavors:
 * MariaDB keeps, per replication domain, the last GTID seen ('0-1-100,1-2-7'); MySQL keeps
 * intervals per source uuid ('3e11fa47-...:1-100:102').
 */
export interface GtidSet {
  add(gtid: string): void;
  toString(): string;
  clone(): GtidSet;
}

export type GtidFlavor = 'mariadb' | 'mysql';

const MARIADB_GTID = /^(\d+)-(\d+)-(\d+)$/;

class MariaDbGtidPosition implements GtidSet {
  constructor(private readonly domains = new Map<string, string>()) {}

  static parse(text: string): MariaDbGtidPosition {
    const position = new MariaDbGtidPosition();
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) position.add(part);
    return position;
  }

  add(gtid: string): void {
    const match = MARIADB_GTID.exec(gtid);
    if (!match) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `'${gtid}' is not a MariaDB GTID (domain-server-sequence)` });
    this.domains.set(match[1]!, gtid);
  }

  toString(): string {
    // One domain, the usual case: built for every transaction, so without sorting anything.
    if (this.domains.size === 1) for (const gtid of this.domains.values()) return gtid;
    return [...this.domains.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, gtid]) => gtid).join(',');
  }

  clone(): MariaDbGtidPosition {
    return new MariaDbGtidPosition(new Map(this.domains));
  }
}

/** Closed intervals [start, end] of transaction numbers, sorted and disjoint. */
type Intervals = Array<[bigint, bigint]>;

class MySqlGtidSet implements GtidSet {
  constructor(private readonly sources = new Map<string, Intervals>()) {}

  static parse(text: string): MySqlGtidSet {
    const set = new MySqlGtidSet();
    for (const part of text.replace(/\s/g, '').split(',').filter(Boolean)) {
      const [uuid, ...ranges] = part.split(':');
      if (!uuid || ranges.length === 0) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `'${part}' is not a MySQL GTID set entry (uuid:1-10)` });
      for (const range of ranges) {
        const match = /^(\d+)(?:-(\d+))?$/.exec(range);
        if (!match) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `'${part}' has a bad interval '${range}'` });
        set.addRange(uuid.toLowerCase(), BigInt(match[1]!), BigInt(match[2] ?? match[1]!));
      }
    }
    return set;
  }

  add(gtid: string): void {
    const colon = gtid.lastIndexOf(':');
    const number = gtid.slice(colon + 1);
    if (colon <= 0 || !/^\d+$/.test(number)) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `'${gtid}' is not a MySQL GTID (uuid:number)` });
    const n = BigInt(number);
    this.addRange(gtid.slice(0, colon).toLowerCase(), n, n);
  }

  private addRange(uuid: string, from: bigint, to: bigint): void {
    const intervals = this.sources.get(uuid) ?? [];
    this.sources.set(uuid, intervals);
    const last = intervals[intervals.length - 1];
    // The common case: the next transaction extends the last interval.
    if (last && from >= last[0] && from <= last[1] + 1n) {
      if (to > last[1]) last[1] = to;
      return;
    }
    intervals.push([from, to]);
    intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Intervals = [];
    for (const interval of intervals) {
      const previous = merged[merged.length - 1];
      if (previous && interval[0] <= previous[1] + 1n) previous[1] = interval[1] > previous[1] ? interval[1] : previous[1];
      else merged.push([interval[0], interval[1]]);
    }
    this.sources.set(uuid, merged);
  }

  toString(): string {
    return [...this.sources.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([uuid, intervals]) => `${uuid}:${intervals.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`)
      .join(',');
  }

  clone(): MySqlGtidSet {
    return new MySqlGtidSet(new Map([...this.sources].map(([uuid, intervals]) => [uuid, intervals.map(([a, b]) => [a, b] as [bigint, bigint])])));
  }
}

/** The flavor of a GTID set text: a MySQL set always has ':', a MariaDB position never. */
export function gtidFlavorOf(text: string): GtidFlavor {
  return text.includes(':') ? 'mysql' : 'mariadb';
}

export function parseGtidSet(flavor: GtidFlavor, text: string): GtidSet {
  return flavor === 'mariadb' ? MariaDbGtidPosition.parse(text) : MySqlGtidSet.parse(text);
}
