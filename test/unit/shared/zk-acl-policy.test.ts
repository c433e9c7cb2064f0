import { describe, expect, it } from 'vitest';
import { managerAccess, nodeAccess } from '../../../shared/cluster/zk-access.ts';
import { aclFor, nodePermissions } from '../../../shared/cluster/zk-acl-policy.ts';
import { ZK_PARENTS, zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { digestId } from '../../../shared/zk/zk-acl.ts';

const manager = { user: 'mgr', password: 'm-pw' };
const node = { user: 'nd', password: 'n-pw' };
const ids = { manager: digestId(manager), node: digestId(node) };

/** Every write the node code makes (node/ and the shared arbiter it runs), and the right it needs where. */
const NODE_WRITES: Array<[what: string, path: string, perm: string]> = [
  ['registration create (nodes/<id>)', zkPaths.nodes, 'c'],
  ['registration state', zkPaths.node('n1'), 'w'],
  ['assignment ack', zkPaths.assignment('p1'), 'w'],
  ['node-raised RESTART removes assignments', zkPaths.assignments, 'd'],
  ['node-raised ROLLBACK sets the permit', zkPaths.permit('c1'), 'w'],
  ['epoch floor create', zkPaths.epochFloors, 'c'],
  ['epoch floor raise', zkPaths.epochFloor('p1'), 'w'],
  ['channel lock directory', zkPaths.locks, 'c'],
  ['channel lock contender create', zkPaths.channelLock('c1'), 'c'],
  ['channel lock release', zkPaths.channelLock('c1'), 'd'],
  ['event append', zkPaths.events, 'c'],
  ['event prune', zkPaths.events, 'd'],
  ['rollback directory (mkdirp)', zkPaths.rollbacks, 'c'],
  ['rollback ack create', zkPaths.channelRollbacks('c1'), 'c'],
  ['rollback ack rewrite', zkPaths.rollbackAck('c1', 'n1'), 'w'],
  ['health record create', zkPaths.health, 'c'],
  ['health record rewrite', zkPaths.dataSourceHealth('src'), 'w'],
];

/** Every read the node code makes. */
const NODE_READS = [
  zkPaths.configEpoch, zkPaths.dataSources, zkPaths.dataSource('src'), zkPaths.channels, zkPaths.channel('c1'),
  zkPaths.permits, zkPaths.permit('c1'), zkPaths.assignments, zkPaths.assignment('p1'), zkPaths.epochFloor('p1'),
  `${zkPaths.channelLock('c1')}/lock-0000000001`, zkPaths.channelLock('c1'), zkPaths.events, `${zkPaths.eventPrefix}0000000007`,
  zkPaths.channelRollbacks('c1'), zkPaths.rollbackAck('c1', 'n2'), zkPaths.node('n1'), zkPaths.managers, zkPaths.manager('m1'),
];

/** What a node must never touch. */
const NODE_NOTHING = [
  zkPaths.root, '/ferry', zkPaths.config, zkPaths.tokens, zkPaths.token('ab'.repeat(32)), zkPaths.stats, zkPaths.stat('p1'),
  zkPaths.history, zkPaths.pipelineHistory('p1'),
  zkPaths.alarms, zkPaths.alarm('lag.p1'), zkPaths.election, `${zkPaths.electionCandidatePrefix}0000000001`, '/elsewhere', '/ferry/v2/config',
];

describe('the ZooKeeper ACL policy', () => {
  it('grants every node write the node code makes', () => {
    for (const [what, path, perm] of NODE_WRITES) expect(nodePermissions(path), `${what}: ${path}`).toContain(perm);
  });

  it('lets nodes read what they follow, and only read the configuration', () => {
    for (const path of NODE_READS) expect(nodePermissions(path), path).toContain('r');
    for (const path of [zkPaths.configEpoch, zkPaths.dataSources, zkPaths.dataSource('src'), zkPaths.channels, zkPaths.channel('c1'), zkPaths.managers, zkPaths.manager('m1')]) {
      expect(nodePermissions(path), path).toBe('r');
    }
  });

  it('gives nodes nothing on tokens, statistics, alarms, the election, the root, or outside it', () => {
    for (const path of NODE_NOTHING) {
      expect(nodePermissions(path), path).toBe('');
      expect(aclFor(path, ids), path).toEqual([{ scheme: 'digest', id: ids.manager, perms: 'cdrwa' }]);
    }
  });

  it('gives the managers every permission everywhere and nobody else anything', () => {
    for (const path of [...ZK_PARENTS, ...NODE_READS, ...NODE_NOTHING, zkPaths.configEpoch]) {
      const acl = aclFor(path, ids);
      expect(acl[0], path).toEqual({ scheme: 'digest', id: ids.manager, perms: 'cdrwa' });
      expect(acl.every((entry) => entry.scheme === 'digest' && [ids.manager, ids.node].includes(entry.id)), path).toBe(true);
      expect(acl.some((entry) => entry.id === ids.node && /a/.test(entry.perms)), path).toBe(false);
    }
  });

  it('with one identity for the cluster, names it once', () => {
    const single = managerAccess({ manager });
    expect(single.identities).toEqual({ manager: ids.manager, node: ids.manager });
    expect(single.aclFor(zkPaths.node('n1'))).toEqual([{ scheme: 'digest', id: ids.manager, perms: 'cdrwa' }]);
    expect(single.credentials).toEqual([manager]);
  });

  it('managers authenticate as both identities; nodes only as their own, granting their znodes to it', () => {
    expect(managerAccess({ manager, node }).credentials).toEqual([manager, node]);
    const access = nodeAccess(node);
    expect(access.credentials).toEqual([node]);
    expect(access.aclFor(zkPaths.node('n1'))).toEqual([{ scheme: 'digest', id: ids.node, perms: 'cdrwa' }]);
  });
});
