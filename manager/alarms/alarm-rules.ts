import type { ChannelStatusT, PipelineStatsRecord } from '../../shared/cluster/model.ts';
import { FerryError } from '../../shared/errors/index.ts';

/**
 * Alarm rules, evaluated without I/O and without clocks: time is only the `observedAt` the
 * caller passes (its own monotonic clock), never a node's wall clock, so nothing depends on
 * clocks agreeing. Feed an observation for every stats report and also periodically for every
 * pipeline, so that silence counts as time passing.
 */

export type AlarmSeverity = 'warning' | 'critical';

/** The rule id of manual warnings (the arbiter's WARNING); no configured rule may take it. */
export const MANUAL_RULE = 'warning';

interface RuleBase {
  /** Unique; part of alarm ids. Lower-case letters, digits and '-'. */
  id: string;
  severity?: AlarmSeverity;
}
/** Lag above `thresholdMs` in every observation for at least `forSeconds`. */
export interface LagRule extends RuleBase { kind: 'lag'; thresholdMs: number; forSeconds: number }
/**
 * Position unchanged for `forSeconds` while the channel is START and the pipeline is running or
 * retrying, with a lag of at least `forSeconds` too: behind, or silent (a node's lag is the
 * time since its source was last heard from when nothing waits). A caught-up pipeline on an
 * idle source hears a heartbeat every second or so and keeps its lag small: fine. During an
 * online copy the position stays at the copy's snapshot while rows are copied: rows copied
 * count as progress too.
 */
export interface NoProgressRule extends RuleBase { kind: 'no-progress'; forSeconds: number }
/** At least `count` error reports within the last `windowSeconds`. */
export interface RepeatedErrorsRule extends RuleBase { kind: 'repeated-errors'; count: number; windowSeconds: number }
/**
 * The pipeline re-copies its tables because the source purged the binlog at its checkpoint
 * (onPurgedBinlog: resync): a DBA should know, though nothing needs doing. Fires while the
 * node reports a copy of mode 'resync', clears when the copy is over.
 */
export interface ResyncRule extends RuleBase { kind: 'resync' }
/**
 * The pipeline stopped on an error that needs a person and names what to do, such as a
 * conflict under `conflicts: stop`: fires while its node reports it failed with `code`, clears
 * once it runs again. (The node's WARNING event says it once; an alarm stays until it is over.)
 */
export interface StoppedOnRule extends RuleBase { kind: 'stopped-on'; code: string; message: string }
export type AlarmRule = LagRule | NoProgressRule | RepeatedErrorsRule | ResyncRule | StoppedOnRule;

export const DEFAULT_ALARM_RULES: readonly AlarmRule[] = Object.freeze([
  { id: 'lag', kind: 'lag', thresholdMs: 60_000, forSeconds: 30, severity: 'warning' },
  { id: 'no-progress', kind: 'no-progress', forSeconds: 120, severity: 'critical' },
  { id: 'repeated-errors', kind: 'repeated-errors', count: 5, windowSeconds: 300, severity: 'critical' },
  { id: 'resync', kind: 'resync', severity: 'warning' },
  {
    id: 'conflict-stop', kind: 'stopped-on', code: 'FERRY_ERR_CONFLICT', severity: 'critical',
    message: "stopped on a conflict (conflicts: stop): both versions are listed by GET /api/v1/channels/<channel>/conflicts and in the target's conflicts table; make the target's row the right version and start the channel again",
  },
  {
    id: 'checkpoint-missing', kind: 'stopped-on', code: 'FERRY_ERR_CHECKPOINT_MISSING', severity: 'critical',
    message: "stopped: the pipeline ran before but its checkpoint is gone from the target, and a start at the binlog end would skip changes; the pipeline's error names the last position known: set its from to that position (or initialCopy, or from: end to accept the gap) and start the channel again",
  },
]);

export interface Observation {
  pipeline: string;
  channel: string;
  channelStatus: ChannelStatusT;
  stats: PipelineStatsRecord;
  /** The caller's monotonic clock in ms (performance.now()), never a node's wall clock. */
  observedAt: number;
}

export interface Alarm {
  /** `${rule}:${pipeline}` */
  id: string;
  rule: string;
  pipeline: string;
  channel: string;
  severity: AlarmSeverity;
  message: string;
  /** Lag in ms, seconds without progress, errors in the window, or rows re-copied when raised. */
  value: number;
}

export interface AlarmChanges { raise: Alarm[]; clear: Alarm[] }

/** Per rule and pipeline: what the rule remembers between observations. */
interface RuleState {
  /** When the current stretch of trouble began (lag above threshold, position unchanged). */
  since?: number;
  position?: string | null;
  /** Rows an online copy had copied at the last observation (no-progress). */
  rowsCopied?: number;
  /** observedAt of counted error reports, and the last report counted (to count each once). */
  errors: number[];
  lastErrorReport?: string;
  firing?: Alarm;
}

type Verdict = { value: number; message: string } | undefined;

const RESYNC_MESSAGE = "the source purged the binlog at the pipeline's checkpoint: the pipeline is re-copying its tables online (onPurgedBinlog: resync); this clears when the copy is over";

function judge(rule: AlarmRule, state: RuleState, o: Observation): Verdict {
  const { stats, observedAt: now } = o;
  const started = o.channelStatus === 'START';
  if (rule.kind === 'lag') {
    // While an online copy reads its chunks no binlog is read: the lag is the copy's age, not
    // the stream's; the copy's own figures (and no-progress, should it stall) cover that time.
    const high = started && stats.lagMs !== null && stats.lagMs > rule.thresholdMs && stats.copy?.phase !== 'copying';
    state.since = high ? (state.since ?? now) : undefined;
    if (!high || now - state.since! < rule.forSeconds * 1000) return undefined;
    return { value: stats.lagMs!, message: `lag ${Math.round(stats.lagMs! / 1000)} s above ${rule.thresholdMs / 1000} s for ${rule.forSeconds} s or more` };
  }
  if (rule.kind === 'no-progress') {
    const expected = started && (stats.state === 'running' || stats.state === 'retrying');
    const rowsCopied = stats.copy?.rowsCopied;
    if (!expected || state.since === undefined || stats.position !== state.position || rowsCopied !== state.rowsCopied) {
      state.since = expected ? now : undefined;
      state.position = stats.position;
      state.rowsCopied = rowsCopied;
      return undefined;
    }
    const seconds = Math.floor((now - state.since) / 1000);
    const stuck = stats.lagMs !== null && stats.lagMs >= rule.forSeconds * 1000;
    const where = rowsCopied === undefined ? (stats.position ?? 'the start') : `${stats.position ?? 'the start'}, online copy at ${rowsCopied} rows`;
    return seconds < rule.forSeconds || !stuck ? undefined : { value: seconds, message: `no progress for ${seconds} s at ${where} (state ${stats.state}, lag ${Math.round(stats.lagMs! / 1000)} s)` };
  }
  if (rule.kind === 'stopped-on') {
    if (stats.state !== 'failed' || stats.error?.code !== rule.code) return undefined;
    // Constant words (the store keeps the first message); the value: conflicts recorded, if known.
    return { value: stats.conflicts?.total ?? 0, message: rule.message };
  }
  if (rule.kind === 'resync') {
    if (stats.copy?.mode !== 'resync') return undefined;
    // Constant words: the store keeps the message of the moment the alarm was raised.
    return { value: stats.copy.rowsCopied, message: RESYNC_MESSAGE };
  }
  const windowStart = now - rule.windowSeconds * 1000;
  // A report is new when the node sent a new record: `at` serves as its identity, not as a time.
  const report = stats.error ? `${stats.at}|${stats.error.code}` : undefined;
  if (report !== undefined && report !== state.lastErrorReport) state.errors.push(now);
  state.lastErrorReport = report;
  state.errors = state.errors.filter((at) => at > windowStart);
  const count = state.errors.length;
  return count < rule.count ? undefined : { value: count, message: `${count} error reports in ${rule.windowSeconds} s, last ${stats.error?.code ?? 'none now'}` };
}

/** Throws FERRY_ERR_CONFIG_INVALID listing every problem. */
export function validateRules(rules: readonly AlarmRule[]): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const rule of rules) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(rule.id)) problems.push(`rule id ${JSON.stringify(rule.id)}: lower-case letters, digits and '-'`);
    if (ids.has(rule.id)) problems.push(`rule id ${rule.id} appears twice`);
    if (rule.id === MANUAL_RULE) problems.push(`rule id ${MANUAL_RULE} is reserved for manual warnings`);
    ids.add(rule.id);
    const numbers = rule.kind === 'lag' ? [rule.thresholdMs, rule.forSeconds] : rule.kind === 'no-progress' ? [rule.forSeconds] : rule.kind === 'resync' || rule.kind === 'stopped-on' ? [] : [rule.count, rule.windowSeconds];
    if (!numbers.every((n) => Number.isFinite(n) && n >= 0)) problems.push(`rule ${rule.id}: numbers must be 0 or more`);
  }
  if (problems.length > 0) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: problems.join('; ') });
}

export class AlarmRules {
  private readonly states = new Map<string, RuleState>();

  constructor(private readonly rules: readonly AlarmRule[] = DEFAULT_ALARM_RULES) {
    validateRules(rules);
  }

  has(ruleId: string): boolean {
    return this.rules.some((rule) => rule.id === ruleId);
  }

  /** Runs every rule on one observation; returns the alarms that start and stop firing. */
  observe(observation: Observation): AlarmChanges {
    const changes: AlarmChanges = { raise: [], clear: [] };
    for (const rule of this.rules) {
      const id = `${rule.id}:${observation.pipeline}`;
      const state = this.states.get(id) ?? { errors: [] };
      this.states.set(id, state);
      const verdict = judge(rule, state, observation);
      if (verdict && !state.firing) {
        state.firing = { id, rule: rule.id, pipeline: observation.pipeline, channel: observation.channel, severity: rule.severity ?? 'warning', ...verdict };
        changes.raise.push(state.firing);
      } else if (!verdict && state.firing) {
        changes.clear.push(state.firing);
        state.firing = undefined;
      } else if (verdict && state.firing) state.firing = { ...state.firing, ...verdict };
    }
    return changes;
  }

  /** The alarms firing for a pipeline now. */
  firing(pipeline: string): Alarm[] {
    return this.rules.map((rule) => this.states.get(`${rule.id}:${pipeline}`)?.firing).filter((alarm) => alarm !== undefined);
  }

  /** Drops a pipeline that no longer exists; returns its alarms, to be cleared. */
  forget(pipeline: string): Alarm[] {
    const firing = this.firing(pipeline);
    for (const rule of this.rules) this.states.delete(`${rule.id}:${pipeline}`);
    return firing;
  }

  /** How long a rule needs to see a pipeline before its silence means "not firing". */
  horizonMs(ruleId: string): number {
    const rule = this.rules.find((r) => r.id === ruleId);
    if (!rule) return 0;
    if (rule.kind === 'resync' || rule.kind === 'stopped-on') return 0;
    return (rule.kind === 'repeated-errors' ? rule.windowSeconds : rule.forSeconds) * 1000;
  }
}
