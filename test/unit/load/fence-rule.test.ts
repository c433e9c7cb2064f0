import { describe, expect, it } from 'vitest';
import { claimable } from '../../../node/load/checkpoint-store.ts';
import { pipelineLockName } from '../../../node/pipeline/pipeline-lock.ts';

describe('the fence rule', () => {
  it('takes a strictly greater epoch from anyone, the same epoch only from the same scope (or a fence with no owner recorded)', () => {
    expect(claimable(4, 'node:n1', 5, 'node:n2')).toBe(true);
    expect(claimable(5, 'node:n1', 5, 'node:n1')).toBe(true);
    expect(claimable(5, '', 5, 'run')).toBe(true);
    expect(claimable(5, 'node:n1', 5, 'node:n2')).toBe(false);
    expect(claimable(6, 'node:n1', 5, 'node:n1')).toBe(false);
    expect(claimable(1, 'node:n1', 0, 'run')).toBe(false);
  });

  it('names the pipeline lock readably, and within MySQL\'s 64 characters for long names', () => {
    expect(pipelineLockName('_ferry', 'shop-eu-us')).toBe('ferry:_ferry.shop-eu-us');
    const long = pipelineLockName('_ferry', 'p'.repeat(191));
    expect(long).toMatch(/^ferry:[0-9a-f]+$/);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(pipelineLockName('_ferry', 'q'.repeat(191))).not.toBe(long);
  });
});
