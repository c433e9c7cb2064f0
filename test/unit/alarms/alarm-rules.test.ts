import { describe, expect, it } from 'vitest';
import { AlarmRules, DEFAULT_ALARM_RULES, type AlarmChanges, type Observation } from '../../../manager/alarms/index.ts';
import type { ChannelStatusT, PipelineStatsRecord } from '../../../shared/cluster/model.ts';

/** Time is only what the test passes as observedAt: a fake clock in ms. */
function observation(observedAt: number, stats: Partial<PipelineStatsRecord> = {}, channelStatus: ChannelStatusT = 'START'): Observation {
  return {
    pipeline: 'p1', channel: 'c1', channelStatus, observedAt,
    stats: { pipeline: 'p1', node: 'n1', epoch: 1, state: 'running', position: '0-1-100', lagMs: 5_000, rowsPerSecond: 10, at: `report-${observedAt}`, ...stats },
  };
}

const ids = (changes: AlarmChanges) => ({ raise: changes.raise.map((a) => a.id), clear: changes.clear.map((a) => a.id) });
const nothing = { raise: [], clear: [] };
const s = (seconds: number) => seconds * 1000;

describe('lag rule (default: above 60 s for 30 s)', () => {
  it('raises once lag stayed high for 30 s, and clears when it drops', () => {
    const rules = new AlarmRules();
    expect(ids(rules.observe(observation(s(0), { lagMs: 70_000 })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(29.999), { lagMs: 80_000 })))).toEqual(nothing);
    const raised = rules.observe(observation(s(30), { lagMs: 90_000 }));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'lag:p1', rule: 'lag', pipeline: 'p1', channel: 'c1', severity: 'warning', value: 90_000 })]);
    expect(ids(rules.observe(observation(s(40), { lagMs: 65_000 })))).toEqual(nothing);
    expect(rules.firing('p1')).toEqual([expect.objectContaining({ id: 'lag:p1', value: 65_000 })]);
    expect(ids(rules.observe(observation(s(50), { lagMs: 1_000 })))).toEqual({ raise: [], clear: ['lag:p1'] });
    expect(rules.firing('p1')).toEqual([]);
  });

  it('does not raise when lag is high but not long enough: a dip restarts the count', () => {
    const rules = new AlarmRules();
    for (const [at, lagMs] of [[0, 70_000], [20, 90_000], [25, 30_000], [40, 90_000], [69, 90_000]] as const) {
      expect(ids(rules.observe(observation(s(at), { lagMs })))).toEqual(nothing);
    }
    expect(ids(rules.observe(observation(s(70), { lagMs: 90_000 }))).raise).toEqual(['lag:p1']);
  });

  it('ignores lag while the channel is not START, and clears a lag alarm on PAUSE', () => {
    const rules = new AlarmRules();
    for (let at = 0; at <= 120; at += 10) expect(ids(rules.observe(observation(s(at), { lagMs: 500_000 }, 'PAUSE')))).toEqual(nothing);
    rules.observe(observation(s(200), { lagMs: 500_000 }));
    expect(ids(rules.observe(observation(s(230), { lagMs: 500_000 }))).raise).toEqual(['lag:p1']);
    expect(ids(rules.observe(observation(s(240), { lagMs: 500_000 }, 'PAUSE'))).clear).toEqual(['lag:p1']);
  });

  it('treats an unknown lag (null) as not high', () => {
    const rules = new AlarmRules();
    rules.observe(observation(s(0), { lagMs: 90_000 }));
    expect(ids(rules.observe(observation(s(31), { lagMs: null })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(40), { lagMs: 90_000 })))).toEqual(nothing);
  });
});

describe('no-progress rule (default: position unchanged 120 s while START and running/retrying, lag 120 s or more)', () => {
  /** Stuck: the position stays, the lag (behind, or time since the source was heard) grows with the clock. */
  // The lag rule fires on these growing lags too; its own tests are above.
  const noProgressOnly = () => new AlarmRules(DEFAULT_ALARM_RULES.filter((rule) => rule.kind === 'no-progress'));
  const stuck = (at: number, stats: Partial<PipelineStatsRecord> = {}, channelStatus: ChannelStatusT = 'START') => observation(s(at), { lagMs: s(at) + 5_000, ...stats }, channelStatus);

  it('raises after 120 s on the same position, clears when the position moves', () => {
    const rules = noProgressOnly();
    expect(ids(rules.observe(stuck(0)))).toEqual(nothing);
    expect(ids(rules.observe(stuck(119, { state: 'retrying' })))).toEqual(nothing);
    const raised = rules.observe(stuck(120, { state: 'retrying' }));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'no-progress:p1', severity: 'critical', value: 120 })]);
    expect(ids(rules.observe(stuck(130, { position: '0-1-101' })))).toEqual({ raise: [], clear: ['no-progress:p1'] });
    expect(ids(rules.observe(stuck(249, { position: '0-1-101' })))).toEqual(nothing);
    expect(ids(rules.observe(stuck(250, { position: '0-1-101' }))).raise).toEqual(['no-progress:p1']);
  });

  it('does not raise while PAUSE, and counts from the moment the channel starts again', () => {
    const rules = noProgressOnly();
    for (let at = 0; at <= 600; at += 60) expect(ids(rules.observe(stuck(at, {}, 'PAUSE')))).toEqual(nothing);
    expect(ids(rules.observe(stuck(660)))).toEqual(nothing);
    expect(ids(rules.observe(stuck(779)))).toEqual(nothing);
    expect(ids(rules.observe(stuck(780))).raise).toEqual(['no-progress:p1']);
  });

  it('raises for a caught-up pipeline that stopped hearing from its source (a dark network path)', () => {
    const rules = noProgressOnly();
    // Idle and healthy: a heartbeat every second keeps the lag around a second.
    for (let at = 0; at <= 600; at += 10) expect(ids(rules.observe(observation(s(at), { lagMs: 900 + (at % 3) * 200 })))).toEqual(nothing);
    // The path goes dark at 600 s: the lag is now the time since the source was last heard.
    for (let at = 610; at < 720; at += 10) expect(ids(rules.observe(observation(s(at), { lagMs: s(at - 600) })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(720), { lagMs: s(120) }))).raise).toEqual(['no-progress:p1']);
  });

  it('does not raise for a caught-up pipeline on an idle source, nor for a failed or stopped one', () => {
    const rules = noProgressOnly();
    for (let at = 0; at <= 600; at += 60) expect(ids(rules.observe(observation(s(at), { lagMs: 0 })))).toEqual(nothing);
    for (let at = 0; at <= 600; at += 60) expect(ids(rules.observe(observation(s(at + 600), { lagMs: 1_500 })))).toEqual(nothing);
    for (let at = 1200; at <= 1800; at += 60) expect(ids(rules.observe(stuck(at, { state: 'failed' })))).toEqual(nothing);
  });
});

describe('repeated-errors rule (default: 5 error reports within 300 s)', () => {
  const failing = { state: 'retrying', error: { code: 'FERRY_ERR_TARGET_UNREACHABLE', message: 'connect refused' } };

  it('raises on the 5th report in the window and clears once the window holds fewer', () => {
    const rules = new AlarmRules();
    for (const at of [0, 10, 20, 30]) expect(ids(rules.observe(observation(s(at), failing)))).toEqual(nothing);
    const raised = rules.observe(observation(s(40), failing));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'repeated-errors:p1', severity: 'critical', value: 5 })]);
    expect(raised.raise[0]!.message).toContain('FERRY_ERR_TARGET_UNREACHABLE');
    expect(ids(rules.observe(observation(s(299), { position: '0-1-200' })))).toEqual(nothing);
    // The report of t=0 leaves the window: 4 remain.
    expect(ids(rules.observe(observation(s(300), { position: '0-1-201' })))).toEqual({ raise: [], clear: ['repeated-errors:p1'] });
  });

  it('counts a report once however often the same record is observed', () => {
    const rules = new AlarmRules();
    const same = { ...failing, at: 'one-report' };
    for (let at = 0; at < 60; at += 5) expect(ids(rules.observe(observation(s(at), same)))).toEqual(nothing);
  });
});

describe('rule set', () => {
  it('takes custom rules, keeps pipelines apart, and forgets a pipeline', () => {
    const rules = new AlarmRules([{ id: 'lag-fast', kind: 'lag', thresholdMs: 1_000, forSeconds: 0, severity: 'critical' }]);
    expect(ids(rules.observe(observation(s(0), { lagMs: 2_000 }))).raise).toEqual(['lag-fast:p1']);
    expect(ids(rules.observe({ ...observation(s(0), { lagMs: 500 }), pipeline: 'p2' }))).toEqual(nothing);
    expect(rules.forget('p1').map((a) => a.id)).toEqual(['lag-fast:p1']);
    expect(rules.firing('p1')).toEqual([]);
    expect(rules.horizonMs('lag-fast')).toBe(0);
  });

  it('refuses bad rules, listing every problem', () => {
    const bad = () => new AlarmRules([
      { id: 'Lag!', kind: 'lag', thresholdMs: 1, forSeconds: 1 },
      { id: 'x', kind: 'no-progress', forSeconds: -1 },
      { id: 'x', kind: 'no-progress', forSeconds: 1 },
      { id: 'warning', kind: 'repeated-errors', count: 1, windowSeconds: 1 },
    ]);
    expect(bad).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CONFIG_INVALID' }) as Error);
    expect(bad).toThrow(/Lag!.*x: numbers.*x appears twice.*warning is reserved/);
  });
});

describe('online copies (initialCopy, resync)', () => {
  const copying = (rowsCopied: number, mode: 'initial' | 'resync' = 'initial', phase: 'copying' | 'replaying' = 'copying') => ({
    mode, phase, ...(phase === 'copying' ? { table: 'shop.orders' } : {}), tablesDone: 0, tables: 2, rowsCopied, estimatedRows: 1_000_000,
    percent: rowsCopied / 10_000, rowsPerSecond: 2_000, etaSeconds: 100, startedAt: 1,
  });

  it('no-progress: rows copied count as progress while the position stays at the copy snapshot', () => {
    const rules = new AlarmRules(DEFAULT_ALARM_RULES.filter((rule) => rule.kind === 'no-progress'));
    // A 20-minute copy: the position never moves, nothing is heard from the binlog (the lag grows).
    for (let at = 0; at <= 1200; at += 10) {
      expect(ids(rules.observe(observation(s(at), { position: '0-1-100', lagMs: s(at), copy: copying(at * 2_000) })))).toEqual(nothing);
    }
    // A copy that stalls (no row since 1200 s) is no progress like any other.
    for (let at = 1210; at < 1320; at += 10) expect(ids(rules.observe(observation(s(at), { lagMs: s(at), copy: copying(2_400_000) })))).toEqual(nothing);
    const raised = rules.observe(observation(s(1320), { lagMs: s(1320), copy: copying(2_400_000) }));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'no-progress:p1', value: 120 })]);
    expect(raised.raise[0]!.message).toContain('online copy at 2400000 rows');
  });

  it('lag: not raised while a copy reads its chunks (no binlog is read then), raised once the stream replays behind', () => {
    const rules = new AlarmRules(DEFAULT_ALARM_RULES.filter((rule) => rule.kind === 'lag'));
    for (let at = 0; at <= 600; at += 10) expect(ids(rules.observe(observation(s(at), { lagMs: s(at + 100), copy: copying(at * 1_000) })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(610), { lagMs: s(700), copy: copying(600_000, 'initial', 'replaying') })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(640), { lagMs: s(700), copy: copying(600_000, 'initial', 'replaying') }))).raise).toEqual(['lag:p1']);
  });

  it('resync: a warning while the pipeline re-copies its tables, cleared when the copy is over', () => {
    const rules = new AlarmRules();
    expect(ids(rules.observe(observation(s(0), { lagMs: 500, copy: copying(0) })))).toEqual(nothing);
    const raised = rules.observe(observation(s(10), { lagMs: 500, copy: copying(5_000, 'resync') }));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'resync:p1', rule: 'resync', severity: 'warning', value: 5_000 })]);
    expect(raised.raise[0]!.message).toMatch(/purged the binlog at the pipeline's checkpoint.*re-copying its tables/);
    expect(ids(rules.observe(observation(s(20), { lagMs: 500, copy: copying(9_000, 'resync') })))).toEqual(nothing);
    expect(ids(rules.observe(observation(s(30), { lagMs: 500, copy: copying(9_000, 'resync', 'replaying') })))).toEqual(nothing);
    expect(rules.firing('p1').map((alarm) => alarm.id)).toEqual(['resync:p1']);
    expect(ids(rules.observe(observation(s(40), { lagMs: 500 })))).toEqual({ raise: [], clear: ['resync:p1'] });
    expect(rules.horizonMs('resync')).toBe(0);
  });
});

describe('conflict-stop (a pipeline stopped on a conflict under conflicts: stop)', () => {
  const rules = () => new AlarmRules(DEFAULT_ALARM_RULES.filter((rule) => rule.id === 'conflict-stop'));
  const failed = (code: string) => ({ state: 'failed', error: { code, message: 'stopped' }, conflicts: { total: 4, recent: [] } });

  it('is critical while the node reports the pipeline failed with FERRY_ERR_CONFLICT, and clears once it runs again', () => {
    const alarms = rules();
    expect(ids(alarms.observe(observation(s(0))))).toEqual(nothing);
    const raised = alarms.observe(observation(s(1), failed('FERRY_ERR_CONFLICT')));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'conflict-stop:p1', rule: 'conflict-stop', severity: 'critical', value: 4, message: expect.stringContaining('/conflicts') as string })]);
    // Whatever the permit: a stopped pipeline needs a person even when the channel is paused.
    expect(ids(alarms.observe(observation(s(2), failed('FERRY_ERR_CONFLICT'), 'PAUSE')))).toEqual(nothing);
    expect(ids(alarms.observe(observation(s(3))))).toEqual({ raise: [], clear: ['conflict-stop:p1'] });
    expect(alarms.horizonMs('conflict-stop')).toBe(0);
  });

  it('leaves other stops to their own alarms, and a conflict reported while retrying', () => {
    const alarms = rules();
    expect(ids(alarms.observe(observation(s(0), failed('FERRY_ERR_APPLY_FAILED'))))).toEqual(nothing);
    expect(ids(alarms.observe(observation(s(1), { ...failed('FERRY_ERR_CONFLICT'), state: 'retrying' })))).toEqual(nothing);
  });
});

describe('checkpoint-missing (a pipeline refused to start without its checkpoint)', () => {
  it('is critical while the node reports the pipeline failed with FERRY_ERR_CHECKPOINT_MISSING, and clears once it runs again', () => {
    const alarms = new AlarmRules(DEFAULT_ALARM_RULES.filter((rule) => rule.id === 'checkpoint-missing'));
    const failed = { state: 'failed', error: { code: 'FERRY_ERR_CHECKPOINT_MISSING', message: 'refused' } };
    expect(ids(alarms.observe(observation(s(0), { state: 'failed', error: { code: 'FERRY_ERR_CONFLICT', message: 'stopped' } })))).toEqual(nothing);
    const raised = alarms.observe(observation(s(1), failed));
    expect(raised.raise).toEqual([expect.objectContaining({ id: 'checkpoint-missing:p1', severity: 'critical', message: expect.stringContaining('from') as string })]);
    expect(ids(alarms.observe(observation(s(2))))).toEqual({ raise: [], clear: ['checkpoint-missing:p1'] });
  });
});
