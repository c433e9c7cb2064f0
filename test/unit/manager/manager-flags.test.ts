import { describe, expect, it } from 'vitest';
import { auditDays, auditKeepCount, managerCommand, parseDuration } from '../../../cli/manager-command.ts';
import { startManager } from '../../../manager/index.ts';
import { silentLogger } from '../../../shared/logging.ts';

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

  it('takes --history-versions and --history-days as whole numbers above 0, and says them in --help', async () => {
    // Nothing listens on port 1: refused before connecting, or it would fail otherwise.
    const run = (...extra: string[]) => managerCommand.run(['--zk', '127.0.0.1:1', '--port', '0', '--admin-token', 'a-long-enough-token', '--zk-insecure', ...extra], { log: silentLogger(), out: () => undefined });
    await expect(run('--history-versions', '0')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--history-versions') as string });
    await expect(run('--history-days', 'ninety')).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', message: expect.stringContaining('--history-days') as string });
    await expect(startManager({ zk: '127.0.0.1:1', adminToken: 'a-long-enough-token', historyRetention: { versions: 0 } })).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE' });
    const lines: string[] = [];
    await managerCommand.run(['--help'], { log: silentLogger(), out: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/--history-versions N[\s\S]*--history-days D/);
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
