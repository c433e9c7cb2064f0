import { describe, expect, it } from 'vitest';
import { boundSeconds, FAULT_KINDS, HEALTH_ROUND_S, SLACK_S } from '../../../chaos/kinds.ts';
import { SourceGroup } from '../../../chaos/source-group.ts';
import { HEALTH_INTERVAL_MS } from '../../../node/cluster/health-prober.ts';
import type { MariaDbInstance } from '../../../services/index.ts';

const server = (name: string, port: number): MariaDbInstance => ({ name, host: '127.0.0.1', port, serverId: port, gtidDomainId: port, dir: `/tmp/${name}`, socket: `/tmp/${name}.sock`, log: `/tmp/${name}.err` });

describe('chaos source group roles', () => {
  it('starts with the first server as master, Ferry reading its master member', () => {
    const group = new SourceGroup({ master: server('db1', 1), standby: server('db3', 3) });
    expect(group.master().name).toBe('db1');
    expect(group.standby().name).toBe('db3');
    expect(group.activeMember()).toBe('master');
    expect(group.otherMember()).toBe('standby');
  });

  it('swaps the servers and the member Ferry reads at every switch, and back', () => {
    const group = new SourceGroup({ master: server('db1', 1), standby: server('db3', 3) });
    group.swapped();
    expect([group.master().name, group.standby().name, group.activeMember(), group.otherMember()]).toEqual(['db3', 'db1', 'standby', 'master']);
    group.swapped();
    expect([group.master().name, group.standby().name, group.activeMember(), group.otherMember()]).toEqual(['db1', 'db3', 'master', 'standby']);
  });

  it('bounds a switch by two health rounds of the nodes plus the slack', () => {
    expect(FAULT_KINDS).toContain('source-switch');
    expect(HEALTH_ROUND_S).toBe(HEALTH_INTERVAL_MS / 1000);
    expect(boundSeconds('source-switch', { sessionS: 4, protectionS: 5, stopS: 7, longStopS: 15, quorumLossS: 10, fullS: 12, wanCutS: 8, wanBlackholeS: 12 })).toBe(2 * HEALTH_ROUND_S + SLACK_S);
  });
});
