import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import { vanishedNodes } from '../../../manager/api/vanished-nodes.ts';

const down = (id: string, node: string, at: string, protectionPeriodMs?: number): EventRecord => ({
  id, type: 'NODE_DOWN', node, by: 'manager:m1', reason: 'node vanished', at, ...(protectionPeriodMs === undefined ? {} : { details: { protectionPeriodMs } }),
});

describe('vanishedNodes', () => {
  it('lists nodes that assignments name but that are not registered, with when their work moves', () => {
    const holders = [{ node: 'n1', pipeline: 'p1' }, { node: 'n2', pipeline: 'p2' }, { node: 'n2', pipeline: 'select:p3' }, { node: 'n3', pipeline: 'p4' }];
    const events = [down('12', 'n2', '2026-12-07T10:00:05.000Z', 90_000), down('11', 'n2', '2026-12-07T09:00:00.000Z', 90_000), down('10', 'n3', '2026-12-07T10:00:00.000Z')];
    expect(vanishedNodes(new Set(['n1']), holders, events)).toEqual([
      { id: 'n2', pipelines: ['p2', 'select:p3'], since: '2026-12-07T10:00:05.000Z', protectionPeriodMs: 90_000, movesAt: '2026-12-07T10:01:35.000Z' },
      { id: 'n3', pipelines: ['p4'], since: '2026-12-07T10:00:00.000Z', protectionPeriodMs: null, movesAt: null },
    ]);
  });

  it('says null when no event tells when the node went', () => {
    expect(vanishedNodes(new Set(), [{ node: 'n9', pipeline: 'p' }], [])).toEqual([{ id: 'n9', pipelines: ['p'], since: null, protectionPeriodMs: null, movesAt: null }]);
  });
});
