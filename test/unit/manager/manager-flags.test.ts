import { describe, expect, it } from 'vitest';
import { auditDays, auditKeepCount, parseDuration } from '../../../cli/manager-command.ts';
import { startManager } from '../../../manager/index.ts';

describe('bin/ferry manager flags', () => {
  it('reads --protection-period with a unit', () => {
    expect(parseDuration('90s', '--protection-period')).toBe(90_000);
    expect(parseDuration('3s', '--protection-period')).toBe(3_000);
    expect(parseDuration('500ms', '--protection-period')).toBe(500);
    expect(parseDuration('2m', '--protection-period')).toBe(120_000);
    expect(parseDuration('1.5s', '--protection-period')).toBe(1_500);
    expect(parseDuration('0s', '--protection-period')).toBe(0);
  });

  it('refuses a duration without a unit or with a bad one, naming the flag', () => {
    for (const bad of ['90', '', 's', '-3s', '3h', '3 s', 'ninety']) {
      expect(() => parseDuration(bad, '--protection-period')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--protection-period') as string }));
    }
  });

  it('startManager refuses an unknown placement policy and a negative protection period before connecting', async () => {
    const base = { zk: '127.0.0.1:1', adminToken: 'a-long-enough-token' };
    await expect(startManager({ ...base, placementPolicy: 'random' as never })).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
    await expect(startManager({ ...base, protectionPeriodMs: -1 })).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
  });
});

describe('bin/ferry manager audit flags', () => {
  it('reads --audit-days as days, fractions allowed, and refuses anything else', () => {
    expect(auditDays(undefined)).toBeUndefined();
    expect(auditDays('90')).toBe(90 * 86_400_000);
    expect(auditDays('0.5')).toBe(43_200_000);
    for (const bad of ['0', '-1', '', 'ten', '3d']) expect(() => auditDays(bad)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--audit-days') as string }));
  });

  it('reads --audit-keep as 1 to 50000 (ZooKeeper lists the entries in one answer)', () => {
    expect(auditKeepCount(undefined)).toBe(10_000);
    expect(auditKeepCount('50000')).toBe(50_000);
    for (const bad of ['0', '50001', 'many']) expect(() => auditKeepCount(bad)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--audit-keep') as string }));
  });
});
