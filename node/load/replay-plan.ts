import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { Batch } from '../../shared/model/change.ts';
import type { Flavor } from '../../shared/mysql/flavor.ts';
import { formatOf } from '../../shared/mysql/binlog-events.ts';
import { cachedReplayRefusal } from './replay-eligibility.ts';
import { replayByteLimit, replayStatements } from './replay-statements.ts';
import type { TargetTables } from './target-tables.ts';

export type BinlogReplayMode = 'auto' | 'off' | 'require';

/**
 * What one run of a pipeline learned about replay, kept across its attempts (a retry after a
 * lost connection does not forget that the target refused the privilege): replay turned off,
 * tables that keep the SQL path, what was logged, and how many batches fell back.
 */
export class ReplayRunState {
  /** Why replay is off for the rest of the run (the target refused the BINLOG statement); undefined: on. */
  off: string | undefined;
  /** Target tables ('schema.table') that keep the SQL path for the rest of the run, and why. */
  readonly refused = new Map<string, string>();
  /** Tables whose fallback was logged (once per table per run). */
  readonly warned = new Set<string>();
  /** Tables whose refusal was logged, by reason. */
  readonly told = new Set<string>();
  /** Batches whose BINLOG statement failed and that were applied by SQL instead. */
  fallbacks = 0;
}

const runs = new WeakMap<object, ReplayRunState>();

/** The run state of a pipeline (its runtime object, the same for every attempt of a run). */
export function replayRunStateOf(pipeline: object): ReplayRunState {
  let state = runs.get(pipeline);
  if (state === undefined) runs.set(pipeline, (state = new ReplayRunState()));
  return state;
}

/** Load's replay settings: the pipeline's binlogReplay, the target's packet limit, the run state. */
export interface ReplaySettings {
  mode: BinlogReplayMode;
  /** The pipeline's name, in a comment before each BINLOG statement. @default none */
  pipeline?: string;
  /** The target's @@max_allowed_packet, read once. */
  maxAllowedPacket: number;
  state: ReplayRunState;
  log: Logger;
}

/** A batch to replay: its BINLOG statements and its target tables ('schema.table'). */
export interface ReplayWork {
  statements: string[];
  tables: string[];
}

/**
 * Whether Load replays the batch (docs/replay.md, 4), and its statements if so. Not when:
 * replay is off (by the pipeline, or for the run); Transform gave no events; the batch is
 * part of an online copy (its window needs the tolerant upsert), detection is on (it reads
 * the target first), or it holds echoes; the target or the source is not MariaDB; a target
 * table is refused (triggers, other columns: replay-eligibility.ts) or fell back on a type
 * conversion before; one source statement's events do not fit in a packet.
 */
export async function planReplay(batch: Batch, settings: ReplaySettings | undefined, tables: TargetTables, flavor: Flavor, detect: boolean): Promise<ReplayWork | undefined> {
  if (settings === undefined || settings.mode === 'off' || settings.state.off !== undefined) return undefined;
  const { replay, replayTables } = batch;
  if (replay === undefined || replayTables === undefined || batch.copy !== undefined || batch.echo === true || detect) return undefined;
  if (flavor !== 'mariadb') return undefined;
  const format = formatOf(replay.format);
  if (!/mariadb/i.test(format.serverVersion)) {
    // Row events of another flavour are not what a MariaDB target reads; untested either way.
    if (settings.mode === 'require') throw new FerryError('FERRY_ERR_REPLAY_REFUSED', { detail: `the source is ${format.serverVersion}, not MariaDB` });
    return undefined;
  }
  const names: string[] = [];
  for (const entry of replayTables) {
    const name = `${entry.schema}.${entry.table}`;
    if (!names.includes(name)) names.push(name);
    const known = settings.state.refused.get(name);
    if (known !== undefined) return undefined;
    const refusal = cachedReplayRefusal(await tables.get(entry), entry.columns);
    if (refusal !== undefined) {
      tellOnce(settings, name, refusal);
      return undefined;
    }
  }
  const statements = replayStatements(replay, format, replayByteLimit(settings.maxAllowedPacket), settings.pipeline);
  if (statements === undefined) return undefined;
  return { statements, tables: names };
}

/** Each table that keeps the SQL path says why, once per reason and run. */
function tellOnce(settings: ReplaySettings, table: string, reason: string): void {
  const key = `${table}\u0000${reason}`;
  if (settings.state.told.has(key)) return;
  settings.state.told.add(key);
  settings.log.info({ table, reason }, 'table applied by SQL, not replayed');
}

/** The target refused the statement itself: BINLOG REPLAY (1227), or a table or schema privilege. */
const PRIVILEGE_ERRNOS = new Set([1227, 1142, 1044]);
/**
 * A column the row applier cannot convert: ER_SLAVE_CONVERSION_FAILED (1677), which MariaDB
 * 10.11 reports from a BINLOG statement as 1105 ("Unknown error", measured).
 */
const CONVERSION_ERRNOS = new Set([1677, 1105]);

/**
 * After a BINLOG statement failed with an error a retry cannot cure: decides what the run
 * does next, and the caller applies the batch by SQL. A privilege error turns replay off for
 * the run (one warning), or with binlogReplay: require throws FERRY_ERR_REPLAY_REFUSED. A
 * conversion error keeps the batch's tables on SQL for the run. Every fallback is counted and
 * logged once per table.
 */
export function replayFailed(error: unknown, work: ReplayWork, settings: ReplaySettings): void {
  const errno = (error as { errno?: number }).errno;
  const detail = (error as { sqlMessage?: string }).sqlMessage ?? describeError(error);
  const { state, log } = settings;
  if (errno !== undefined && PRIVILEGE_ERRNOS.has(errno)) {
    if (settings.mode === 'require') throw new FerryError('FERRY_ERR_REPLAY_REFUSED', { detail: `${errno}: ${detail}` }, { cause: error });
    if (state.off === undefined) log.warn({ errno, detail }, 'target refuses replay; rows go by SQL for the rest of the run');
    state.off = detail;
    return;
  }
  state.fallbacks++;
  if (errno !== undefined && CONVERSION_ERRNOS.has(errno)) {
    for (const table of work.tables) state.refused.set(table, `replay failed with ${errno}`);
  }
  const fresh = work.tables.filter((table) => !state.warned.has(table));
  if (fresh.length === 0) return;
  for (const table of fresh) state.warned.add(table);
  log.warn({ errno, tables: fresh, detail }, 'replay fell back to SQL');
}
