import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, NODE_KINDS, PIPE_SILENCE_S, SLACK_S, boundSeconds, canOverlap, faultDomain } from '../../../chaos/kinds.ts';
import { chaosCommand } from '../../../cli/chaos-command.ts';
import { parseKinds, parseOverlap, planFaults, targetLabel } from '../../../chaos/schedule.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';

describe('chaos schedule', () => {
  it('replays the same schedule from the same seed', () => {
    expect(planFaults(7, 30)).toEqual(planFaults(7, 30));
  });

  it('draws a different schedule from another seed', () => {
    expect(planFaults(1, 30)).not.toEqual(planFaults(2, 30));
  });

  it('covers every kind once before any repeats when the count allows', () => {
    for (const seed of [1, 2, 3, 99]) {
      const kinds = planFaults(seed, FAULT_KINDS.length).map((f) => f.kind);
      expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
    }
  });

  it('starts and ends with different kinds for different small seeds', () => {
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    const firsts = new Set(seeds.map((seed) => planFaults(seed, FAULT_KINDS.length)[0]!.kind));
    const lasts = new Set(seeds.map((seed) => planFaults(seed, FAULT_KINDS.length).at(-1)!.kind));
    expect(firsts.size).toBeGreaterThanOrEqual(4);
    expect(lasts.size).toBeGreaterThanOrEqual(4);
  });

  it('draws only the kinds asked for, every one of them over a long run', () => {
    const asked = ['node-kill', 'target-restart'] as const;
    const plan = planFaults(5, 100, asked);
    expect(plan).toHaveLength(100);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(asked));
  });

  it('reads --kinds in the order of the kind list, whatever the spelling order', () => {
    expect(parseKinds('target-restart, node-kill,')).toEqual(['node-kill', 'target-restart']);
    expect(planFaults(11, 12, parseKinds('target-restart,node-kill'))).toEqual(planFaults(11, 12, parseKinds('node-kill,target-restart')));
  });

  it('refuses an unknown or empty --kinds with a usage error listing the valid kinds', () => {
    for (const value of ['node-kill,disk-full', '', ' , ']) {
      let caught: unknown;
      try {
        parseKinds(value);
      } catch (error) {
        caught = error;
      }
      expect(isFerryError(caught, 'FERRY_ERR_CLI_USAGE')).toBe(true);
      const detail = String((caught as { details: { detail: string } }).details.detail);
      for (const kind of FAULT_KINDS) expect(detail).toContain(kind);
      if (value.includes('disk-full')) expect(detail).toContain("'disk-full'");
    }
  });

  it('bin/ferry chaos refuses an unknown kind before starting anything', async () => {
    await expect(chaosCommand.run(['--kinds', 'node-kill,nope'], { log: silentLogger(), out: () => undefined })).rejects.toMatchObject({ code: 'FERRY_ERR_CLI_USAGE', details: { detail: expect.stringContaining("unknown kind 'nope'; valid kinds: node-kill,") as unknown } });
  });

  it('pauses between 2 and 9 s of quiet load before each fault', () => {
    for (const fault of planFaults(3, 200)) {
      expect(Number.isInteger(fault.pauseS)).toBe(true);
      expect(fault.pauseS).toBeGreaterThanOrEqual(2);
      expect(fault.pauseS).toBeLessThanOrEqual(9);
    }
  });

  it('bounds a dead node by session timeout + protection period + slack', () => {
    const t = { sessionS: 4, protectionS: 5, stopS: 7, longStopS: 15, quorumLossS: 10, fullS: 12, wanCutS: 8, wanBlackholeS: 12 };
    expect(boundSeconds('node-kill', t)).toBe(4 + 5 + SLACK_S);
    expect(boundSeconds('node-down', t)).toBe(4 + 5 + SLACK_S);
    expect(boundSeconds('node-stop-long', t)).toBe(4 + 5 + SLACK_S);
    expect(boundSeconds('node-stop', t)).toBe(7 + 4 + 5 + SLACK_S);
    expect(boundSeconds('leader-manager-kill', t)).toBe(4 + SLACK_S);
    expect(boundSeconds('zookeeper-quorum-loss', t)).toBe(10 + 4 + 5 + SLACK_S);
  });

  it('draws node-full among the kinds, bounded by the slack alone: a full node keeps its work', () => {
    expect(FAULT_KINDS).toContain('node-full');
    expect(planFaults(11, FAULT_KINDS.length).map((f) => f.kind)).toContain('node-full');
    expect(boundSeconds('node-full', { sessionS: 4, protectionS: 5, stopS: 7, longStopS: 15, quorumLossS: 10, fullS: 12, wanCutS: 8, wanBlackholeS: 12 })).toBe(SLACK_S);
  });

  it('aims some node faults at an idle node, never another kind, and replays that choice', () => {
    const plan = planFaults(11, 300);
    const idle = plan.filter((f) => f.idle);
    expect(idle.every((f) => NODE_KINDS.includes(f.kind))).toBe(true);
    for (const kind of NODE_KINDS) {
      const ofKind = plan.filter((f) => f.kind === kind);
      expect(ofKind.some((f) => f.idle)).toBe(true);
      expect(ofKind.some((f) => !f.idle)).toBe(true);
    }
    expect(planFaults(11, 300)).toEqual(plan);
  });

  it('keeps the kinds and pauses the ten first kinds drew before idle targets existed (seed 7)', () => {
    // The first ten of the list: kinds added later (node-full, peer-kill, ...) come after them.
    const ten = FAULT_KINDS.slice(0, 10);
    expect(planFaults(7, 12, ten).map((f) => [f.kind, f.pauseS])).toEqual([
      ['zookeeper-kill', 9], ['zookeeper-quorum-loss', 9], ['node-kill', 8], ['source-kill', 3], ['node-stop', 9], ['leader-manager-kill', 4],
      ['target-restart', 8], ['node-down', 5], ['manager-kill', 2], ['node-stop-long', 8], ['zookeeper-kill', 2], ['zookeeper-kill', 6],
    ]);
  });

  it('overlaps no fault unless asked, and about the share asked otherwise', () => {
    expect(planFaults(11, 300).some((f) => f.overlap)).toBe(false);
    const plan = planFaults(11, 300, FAULT_KINDS, 0.3);
    const share = plan.filter((f) => f.overlap).length / plan.length;
    // Lower than asked: a pair of the same part, or a fault after an overlap, never overlaps.
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThanOrEqual(0.3);
    expect(planFaults(11, 300, FAULT_KINDS, 0.3)).toEqual(plan);
  });

  it('keeps kinds, pauses of faults that do not overlap, and idle targets whatever the overlap share', () => {
    const alone = planFaults(4, 100, FAULT_KINDS, 0);
    const overlapping = planFaults(4, 100, FAULT_KINDS, 0.5);
    expect(overlapping.map((f) => [f.kind, f.idle])).toEqual(alone.map((f) => [f.kind, f.idle]));
    for (const [i, fault] of overlapping.entries()) if (!fault.overlap) expect(fault.pauseS).toBe(alone[i]!.pauseS);
  });

  it('overlaps only faults on different parts, never three at once, within 0-3 s of the one before', () => {
    const plan = planFaults(21, 500, FAULT_KINDS, 1);
    expect(plan[0]!.overlap).toBe(false);
    for (const [i, fault] of plan.entries()) {
      if (!fault.overlap) continue;
      const previous = plan[i - 1]!;
      expect(previous.overlap).toBe(false);
      expect(canOverlap(previous.kind, fault.kind)).toBe(true);
      expect(faultDomain(previous.kind)).not.toBe(faultDomain(fault.kind));
      expect(fault.pauseS).toBeGreaterThanOrEqual(0);
      expect(fault.pauseS).toBeLessThanOrEqual(3);
    }
    expect(plan.filter((f) => f.overlap).length).toBeGreaterThan(100);
  });

  it('never overlaps a quorum loss with a fault that must write to ZooKeeper to be injected', () => {
    expect(canOverlap('zookeeper-quorum-loss', 'node-full')).toBe(false);
    expect(canOverlap('node-full', 'zookeeper-quorum-loss')).toBe(false);
    expect(canOverlap('zookeeper-quorum-loss', 'node-kill')).toBe(true);
    expect(canOverlap('node-kill', 'node-stop')).toBe(false);
    expect(canOverlap('source-kill', 'target-restart')).toBe(true);
  });

  it('reads --overlap as a share between 0 and 1, refusing anything else with a usage error', () => {
    expect(parseOverlap('0')).toBe(0);
    expect(parseOverlap('0.25')).toBe(0.25);
    for (const bad of ['', 'x', '-0.1', '1.5', 'NaN']) expect(() => parseOverlap(bad)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE' }) as Error);
  });

  it('aims node faults at either side of the split pipeline, replays that choice, and gives other kinds no side', () => {
    const plan = planFaults(5, 300);
    for (const fault of plan) expect(fault.side === null).toBe(!NODE_KINDS.includes(fault.kind));
    for (const kind of NODE_KINDS) {
      const sides = new Set(plan.filter((f) => f.kind === kind && !f.idle).map((f) => f.side));
      expect(sides).toEqual(new Set(['select', 'load']));
    }
    expect(planFaults(5, 300)).toEqual(plan);
  });

  it('draws the side by position from a stream of its own (kinds, pauses and idle draws stay those of the seed 7 test above)', () => {
    const nodeOnly = ['node-kill', 'node-stop'] as const;
    // The side is drawn by position: the same seed with another kind list draws the same sides.
    const sidesOf = (kinds: readonly (typeof FAULT_KINDS)[number][]) => planFaults(9, 40, kinds).map((f) => f.side);
    expect(sidesOf(nodeOnly)).toEqual(sidesOf(['node-down', 'node-full']));
  });

  it('names the side hit in the report target', () => {
    expect(targetLabel({ kind: 'node-kill', pauseS: 2, idle: false, side: 'load', overlap: false }, 'node-3')).toBe('node-3 (load)');
    expect(targetLabel({ kind: 'node-stop', pauseS: 2, idle: true, side: 'select', overlap: false }, 'node-2')).toBe('node-2 (idle)');
    expect(targetLabel({ kind: 'wan-cut', pauseS: 2, idle: false, side: null, overlap: false }, 'wan')).toBe('wan');
  });

  it('bounds a WAN fault by the pipe\'s liveness + the outage + slack', () => {
    const t = { sessionS: 4, protectionS: 5, stopS: 7, longStopS: 15, quorumLossS: 10, fullS: 12, wanCutS: 8, wanBlackholeS: 12 };
    expect(boundSeconds('wan-cut', t)).toBe(PIPE_SILENCE_S + 8 + SLACK_S);
    expect(boundSeconds('wan-blackhole', t)).toBe(PIPE_SILENCE_S + 12 + SLACK_S);
    expect(planFaults(9, 6, parseKinds('wan-cut,wan-blackhole')).every((f) => f.side === null && !f.idle)).toBe(true);
  });
});
