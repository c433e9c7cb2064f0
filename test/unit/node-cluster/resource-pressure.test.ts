import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resourcePressure } from '../../../node/cluster/resource-pressure.ts';

describe('resourcePressure', () => {
  it('reports full at capacity, and not below it on a machine with room', () => {
    expect(resourcePressure(tmpdir(), 2, 2)).toBe('2 of 2 pipelines');
    expect(resourcePressure(tmpdir(), 1, 2)).toBeUndefined();
  });

  it('does not fail on a cache directory that does not exist yet', () => {
    expect(resourcePressure('/nonexistent/ferry-cache', 0, 8)).toBeUndefined();
  });
});
