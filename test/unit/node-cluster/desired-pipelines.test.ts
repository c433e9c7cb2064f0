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

  describe('split pipelines', () => {
    const secrets = (pipeline: string, sealed: string) => Buffer.from(`${pipeline}:${sealed}`);
    const load = (secret = 's1', selectEpoch = 8) => ({ ...assignment('p1', 'n1', 7), pipe: { secret, selectNode: 'n2', selectEpoch } });
    const select = (node: string, address = '10.0.0.1:7400', secret = 's1') => ({ ...assignment('p1', node, 8), pipe: { secret, loadNode: 'n1', address, tls: true, loadEpoch: 7 } });

    it('runs the load side from an assignment with a pipe, and the select side from a select assignment, each keyed apart', () => {
      const onLoad = desiredPipelines(view({ assignments: [load()], selectAssignments: [select('n2')] }), 'n1', undefined, secrets);
      expect([...onLoad.keys()]).toEqual(['p1']);
      expect(onLoad.get('p1')).toMatchObject({ key: 'p1', epoch: 7, role: { side: 'load', secret: Buffer.from('p1:s1'), selectNode: 'n2', selectEpoch: 8 } });
      const onSelect = desiredPipelines(view({ assignments: [load()], selectAssignments: [select('n2')] }), 'n2', undefined, secrets);
      expect([...onSelect.keys()]).toEqual(['select:p1']);
      expect(onSelect.get('select:p1')).toMatchObject({ name: 'p1', epoch: 8, role: { side: 'select', epoch: 8, host: '10.0.0.1', port: 7400, tls: true, loadNode: 'n1', loadEpoch: 7 } });
      expect(desiredPipelines(view(), 'n1').get('p1')?.role).toEqual({ side: 'whole' });
    });

    it('restarts a side whose secret or peer changed at the same epoch', () => {
      const base = desiredPipelines(view({ assignments: [load()] }), 'n1', undefined, secrets).get('p1')!.fingerprint;
      expect(desiredPipelines(view({ assignments: [load('s2')] }), 'n1', undefined, secrets).get('p1')!.fingerprint).not.toBe(base);
      expect(desiredPipelines(view({ assignments: [load('s1', 9)] }), 'n1', undefined, secrets).get('p1')!.fingerprint).not.toBe(base);
      const selectBase = desiredPipelines(view({ assignments: [], selectAssignments: [select('n2')] }), 'n2', undefined, secrets).get('select:p1')!.fingerprint;
      expect(desiredPipelines(view({ assignments: [], selectAssignments: [select('n2', '10.0.0.9:7400')] }), 'n2', undefined, secrets).get('select:p1')!.fingerprint).not.toBe(selectBase);
    });

    it('reports a side it cannot run: no key for the secret, a malformed pipe address', () => {
      const noKey = desiredPipelines(view({ assignments: [load()] }), 'n1').get('p1');
      expect(noKey).toMatchObject({ error: { code: 'FERRY_ERR_SECRET_NO_KEY' } });
      const badAddress = desiredPipelines(view({ assignments: [], selectAssignments: [select('n2', 'nowhere')] }), 'n2', undefined, secrets).get('select:p1');
      expect(badAddress).toMatchObject({ error: { code: 'FERRY_ERR_CONFIG_INVALID' } });
      expect(badAddress?.error?.message).toContain("'nowhere'");
    });
  });
});
