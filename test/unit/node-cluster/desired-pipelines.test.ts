import { describe, expect, it } from 'vitest';
import { desiredPipelines } from '../../../node/cluster/index.ts';
import { assignment, channel, permit, snapshot, view } from './fixtures.ts';

describe('desiredPipelines', () => {
  it('runs an assignment naming this node when its channel permit is START, with the assignment epoch', () => {
    const desired = desiredPipelines(view({ assignments: [assignment('p1', 'n1', 7)] }), 'n1');
    const p1 = desired.get('p1');
    expect(p1).toMatchObject({ name: 'p1', channel: 'c1', epoch: 7 });
    expect(p1?.pipeline).toMatchObject({ name: 'p1', epoch: 7, source: { host: '127.0.0.1', port: 3306 }, target: { port: 3307 } });
    expect(p1?.error).toBeUndefined();
  });

  it('skips assignments of other nodes and channels that are paused, stopped or without a permit', () => {
    const snap = snapshot(1, [channel('c1', ['p1']), channel('c2', ['p2']), channel('c3', ['p3']), channel('c4', ['p4'])]);
    const desired = desiredPipelines(view({
      snapshot: snap,
      assignments: [assignment('p1', 'n2', 1, 'c1'), assignment('p2', 'n1', 1, 'c2'), assignment('p3', 'n1', 1, 'c3'), assignment('p4', 'n1', 1, 'c4')],
      permits: { c1: permit('START'), c2: permit('PAUSE'), c3: permit('STOP') },
    }), 'n1');
    expect([...desired.keys()]).toEqual([]);
  });

  it('gives a new fingerprint for a new epoch or a changed resolved configuration, the same one otherwise', () => {
    const base = desiredPipelines(view(), 'n1').get('p1')!.fingerprint;
    expect(desiredPipelines(view(), 'n1').get('p1')!.fingerprint).toBe(base);
    // An unrelated edit (new epoch of the configuration, another channel) changes nothing.
    expect(desiredPipelines(view({ snapshot: snapshot(5, [channel('c1', ['p1']), channel('c9', ['p9'])]) }), 'n1').get('p1')!.fingerprint).toBe(base);
    expect(desiredPipelines(view({ assignments: [assignment('p1', 'n1', 2)] }), 'n1').get('p1')!.fingerprint).not.toBe(base);
    expect(desiredPipelines(view({ snapshot: snapshot(2, [channel('c1', ['p1'], ['shop.orders'])]) }), 'n1').get('p1')!.fingerprint).not.toBe(base);
    const switched = snapshot(3);
    switched.dataSources.src!.active = 'standby';
    const onStandby = desiredPipelines(view({ snapshot: switched }), 'n1').get('p1')!;
    expect(onStandby.fingerprint).not.toBe(base);
    expect(onStandby.pipeline?.source.host).toBe('127.0.0.2');
  });

  it('reports an assignment it cannot resolve instead of throwing', () => {
    const desired = desiredPipelines(view({ assignments: [assignment('ghost', 'n1', 1)] }), 'n1');
    expect(desired.get('ghost')).toMatchObject({ name: 'ghost', error: { code: 'FERRY_ERR_API_NOT_FOUND' } });
    expect(desired.get('ghost')?.pipeline).toBeUndefined();
  });
});
