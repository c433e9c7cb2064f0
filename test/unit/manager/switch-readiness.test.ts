import { describe, expect, it } from 'vitest';
import type { DataSourceHealthRecord, MemberHealth } from '../../../shared/cluster/health-model.ts';
import { isStale, switchReadiness } from '../../../manager/switch-readiness.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const member = (port: number, gtid: string, extra: Partial<MemberHealth> = {}): MemberHealth =>
  ({ host: '127.0.0.1', port, reachable: true, flavor: 'MariaDB', version: '10.11.6-MariaDB', readOnly: false, replica: null, gtidPosition: gtid, gtidBinlogPos: gtid, ...extra });
const health = (master: MemberHealth, standby: MemberHealth, at = '2026-12-07T09:59:58Z'): DataSourceHealthRecord =>
  ({ groupKey: 'shop', active: 'master', master, standby, measuredBy: 'n1', dc: 'dc1', at, intervalMs: 3000 });
const spec = { groupKey: 'shop', active: 'master' as const, standby: { host: '127.0.0.1', port: 2 } };

describe('switch readiness', () => {
  it('is ready when the standby is reachable and holds the active member\'s GTID position', () => {
    const r = switchReadiness(spec, 'standby', health(member(1, '0-1-50'), member(2, '0-1-50')), NOW);
    expect(r).toMatchObject({ ready: true, problems: [], caughtUp: true, reachable: true, readOnly: false, from: 'master', to: 'standby', measuredBy: 'n1', stale: false });
  });

  it('refuses a standby behind, saying by how much', () => {
    const r = switchReadiness(spec, 'standby', health(member(1, '0-1-50'), member(2, '0-1-42')), NOW);
    expect(r.ready).toBe(false);
    expect(r.caughtUp).toBe(false);
    expect(r.behind?.transactions).toBe(8);
    expect(r.problems.join()).toContain('8 transaction(s) behind');
  });

  it('refuses an unreachable member, an unreachable active one, no health and stale health', () => {
    const down = member(2, '', { reachable: false, gtidPosition: null, error: { code: 'FERRY_ERR_DATASOURCE_UNREACHABLE', message: 'x' } });
    expect(switchReadiness(spec, 'standby', health(member(1, '0-1-1'), down), NOW).problems.join()).toContain('FERRY_ERR_DATASOURCE_UNREACHABLE');
    const masterDown = member(1, '', { reachable: false, gtidPosition: null });
    expect(switchReadiness(spec, 'standby', health(masterDown, member(2, '0-1-1')), NOW)).toMatchObject({ ready: false, behind: null });
    expect(switchReadiness(spec, 'standby', undefined, NOW)).toMatchObject({ ready: false, member: null });
    const old = health(member(1, '0-1-1'), member(2, '0-1-1'), '2026-12-07T09:58:00Z');
    expect(switchReadiness(spec, 'standby', old, NOW)).toMatchObject({ ready: false, stale: true });
  });

  it('reports read_only and running replication as warnings, not refusals', () => {
    const replica = { masterHost: 'db1', masterPort: 3306, ioRunning: true, sqlRunning: true, secondsBehindMaster: 0, gtidSlavePos: '0-1-5', lastError: '' };
    const r = switchReadiness(spec, 'standby', health(member(1, '0-1-5'), member(2, '0-1-5', { readOnly: true, replica })), NOW);
    expect(r.ready).toBe(true);
    expect(r.readOnly).toBe(true);
    expect(r.warnings).toHaveLength(2);
  });

  it('judges the member against the active one from the configuration, not the one measured as active', () => {
    const switchedBack = { ...spec, active: 'standby' as const };
    const r = switchReadiness(switchedBack, 'master', health(member(1, '0-1-40'), member(2, '0-1-50')), NOW);
    expect(r).toMatchObject({ from: 'standby', to: 'master', ready: false });
    expect(r.behind?.transactions).toBe(10);
  });

  it('calls a record stale after four intervals, and never sooner than 20 s', () => {
    expect(isStale({ at: new Date(NOW - 19_000).toISOString(), intervalMs: 1000 }, NOW)).toBe(false);
    expect(isStale({ at: new Date(NOW - 21_000).toISOString(), intervalMs: 1000 }, NOW)).toBe(true);
    expect(isStale({ at: new Date(NOW - 39_000).toISOString(), intervalMs: 10_000 }, NOW)).toBe(false);
    expect(isStale({ at: 'not a date', intervalMs: 1000 }, NOW)).toBe(true);
  });
});
