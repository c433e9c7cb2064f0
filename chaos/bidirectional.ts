import mysql, { type Connection } from 'mysql2/promise';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MariaDbInstance, ServicesState } from '../services/index.ts';
import type { ApiClient } from '../cli/demo/api-client.ts';
import type { Logger } from '../shared/logging.ts';
import { runLoad, type AccountRange, type LoadOutcome } from './load.ts';
import { ACCOUNTS, CHAOS_SEED_ROWS, CHAOS_TABLES } from './load-schema.ts';
import { Probe } from './probe.ts';
import type { ChaosProcess } from './processes.ts';
import { SOURCE_DC, TARGET_DC } from './datacenters.ts';

/**
 * The chaos cluster's bidirectional channel (docs/bidirectional.md): the peer MariaDB (dc1) and
 * the target server mirror each other's `chaos_bi` schema, both taking writes. Its two groups
 * are its own even though `chaos-bi-b` points at the main channel's target server: a switch of
 * the main channel's groups must not move this channel.
 */
export const BI_CHANNEL = 'chaos-bi';
export const BI_SCHEMA = 'chaos_bi';
/**
 * Both directions must use one system schema (each reads the other's checkpoint rows there to
 * drop its own changes coming back). Not the main channel's `_ferry`: on the target server that
 * holds the main pipeline's checkpoint rows, which the way back would decode for nothing.
 */
export const BI_SYSTEM_SCHEMA = '_ferry_chaos_bi';

/** One master of the channel: what it is, what its load writes, what its probe watches. */
export interface BiSide {
  server: 'peer' | 'target';
  groupKey: string;
  dc: string;
  /** The pipeline reading this side's binlog: the direction its probe row measures. */
  pipeline: string;
  /** This side's row of `chaos_bi.probe`, written only here. */
  probeId: number;
  /** Writer slots apart from the other side's (and the main load's 0..2): sequence numbers never meet. */
  writerOffset: number;
  /** Accounts updated only from this side: an application active-active by unit never writes a key on both. */
  accounts: AccountRange;
  /** auto_increment_offset of the server (increment 2): the precheck refuses two masters whose ids can meet. */
  autoIncrementOffset: number;
}

const HALF = Math.floor(ACCOUNTS / 2);

/** Side a (the primary) on the peer, side b on the target server. */
export const BI_SIDES: readonly [BiSide, BiSide] = [
  { server: 'peer', groupKey: 'chaos-bi-a', dc: SOURCE_DC, pipeline: 'chaos-bi-a2b', probeId: 1, writerOffset: 4, accounts: { first: 1, count: HALF }, autoIncrementOffset: 1 },
  { server: 'target', groupKey: 'chaos-bi-b', dc: TARGET_DC, pipeline: 'chaos-bi-b2a', probeId: 2, writerOffset: 5, accounts: { first: HALF + 1, count: ACCOUNTS - HALF }, autoIncrementOffset: 2 },
];

const AUTO_INCREMENT_INCREMENT = 2;

/**
 * On one master, before the channel starts (it starts at the binlog's end, so both sides must
 * hold the same rows already): the schema, the seed rows and one probe row per side; and the
 * auto_increment progression of its side, set now and kept in the server's arguments so that a
 * restart by a fault keeps it (a GLOBAL set alone is lost, and a pipeline started again after
 * that would be refused by the auto_increment precheck).
 */
export async function prepareBiMaster(db: MariaDbInstance, users: ServicesState['users'], side: BiSide): Promise<void> {
  const connection = await mysql.createConnection({ host: db.host, port: db.port, user: users.app.user, password: users.app.password, multipleStatements: true });
  try {
    const probes = BI_SIDES.map((s) => `INSERT INTO probe VALUES (${s.probeId}, 0)`);
    const seedRows = CHAOS_SEED_ROWS.filter((row) => !row.includes('INTO probe'));
    await connection.query(`CREATE DATABASE ${BI_SCHEMA}; USE ${BI_SCHEMA}; ${[...CHAOS_TABLES, ...seedRows, ...probes].join(';\n')}`);
    await connection.query(`SET GLOBAL auto_increment_increment = ${AUTO_INCREMENT_INCREMENT}, GLOBAL auto_increment_offset = ${side.autoIncrementOffset}`);
  } finally {
    await connection.end();
  }
  db.extraArgs = [...(db.extraArgs ?? []), `--auto-increment-increment=${AUTO_INCREMENT_INCREMENT}`, `--auto-increment-offset=${side.autoIncrementOffset}`];
}

/** The channel as POST /channels takes it: a2b and its mirror b2a, the peer primary. */
export function biChannelSpec(): Record<string, unknown> {
  const [a, b] = BI_SIDES;
  const pipeline = (name: string, source: string, target: string) => ({ name, source, target, tables: [`${BI_SCHEMA}.*`], systemSchema: BI_SYSTEM_SCHEMA });
  return {
    name: BI_CHANNEL,
    pipelines: [pipeline(a.pipeline, a.groupKey, b.groupKey), pipeline(b.pipeline, b.groupKey, a.groupKey)],
    // Never a conflict with keys partitioned by side; primary-wins is what an outage would need.
    bidirectional: { primary: a.groupKey, conflicts: 'primary-wins' },
  };
}

/** Its groups (the app user: each master is a source and a target) and the channel, started. */
export async function startBiChannel(api: ApiClient, users: ServicesState['users'], servers: Record<BiSide['server'], MariaDbInstance>): Promise<void> {
  for (const side of BI_SIDES) {
    const db = servers[side.server];
    await api.call('POST', '/datasources', { groupKey: side.groupKey, dc: side.dc, master: { host: db.host, port: db.port }, ...users.app });
  }
  await api.call('POST', '/channels', biChannelSpec());
  await api.call('POST', `/channels/${BI_CHANNEL}/start`);
}

/**
 * Waits until some node logged each direction's start position (read from its source's binlog
 * end). The probes must not be written before: a probe update that no pipeline reads leaves
 * the other side's row at its older image, and the next one then meets a row it does not expect,
 * a conflict that the non-primary direction settles by skipping it, for ever (seen in the first
 * run: `chaos-bi-b2a` recorded a `mismatch` on `chaos_bi.probe` for every bump).
 */
export async function biPipelinesReading(nodes: readonly ChaosProcess[], timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const started = BI_SIDES.map((side) => new RegExp(`"pipeline":"${side.pipeline}".*"start":.*"msg":"pipeline starting"}`));
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline) {
    // The nodes' JSON logs go to stderr, which only their log files hold (waitForLine reads stdout).
    const logs = nodes.map((node) => readFileSync(node.process.logFile, 'utf8'));
    if (started.every((line) => logs.some((log) => line.test(log)))) return true;
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

type Connector = (db: MariaDbInstance) => () => Promise<Connection>;

/** One probe per direction: written on the side's own server, watched on the other's. */
export function biProbes(at: Connector, servers: Record<BiSide['server'], MariaDbInstance>): Probe[] {
  return BI_SIDES.map((side) => {
    const other = BI_SIDES.find((s) => s !== side)!;
    return new Probe(at(servers[side.server]), at(servers[other.server]), side.pipeline, BI_SCHEMA, side.probeId);
  });
}

/** One writer on each master (10 tx/s), each in its own writer slot and account range. */
export function runBiLoads(at: Connector, servers: Record<BiSide['server'], MariaDbInstance>, seed: number, log: Logger, signal: AbortSignal): Promise<LoadOutcome[]> {
  return Promise.all(BI_SIDES.map((side) => runLoad({
    connect: at(servers[side.server]), writers: 1, perSecond: 10, seed, log: log.child({ side: side.groupKey }),
    schema: BI_SCHEMA, accounts: side.accounts, writerOffset: side.writerOffset,
  }, signal)));
}
