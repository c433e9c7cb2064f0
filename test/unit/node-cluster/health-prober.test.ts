import { describe, expect, it } from 'vitest';
import type { DataSourceHealthRecord, MemberHealth } from '../../../shared/cluster/health-model.ts';
import type { ConfigSnapshot, DataSourceSpecT, NodeRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { createLogger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { HealthProber } from '../../../node/cluster/health-prober.ts';
import { probeMember } from '../../../node/cluster/member-probe.ts';
import { FakeZk } from './fake-zk.ts';

const log = createLogger({ level: 'silent' });

const node = (id: string, dc: string, state: NodeRecord['state'] = 'up'): NodeRecord =>
  ({ id, dc, address: `${id}:7000`, capacity: { pipelines: 8 }, state, version: '0', startedAt: '2026-12-07T00:00:00Z' });
const dataSource = (groupKey: string, dc: string, extra: Partial<DataSourceSpecT> = {}): DataSourceSpecT =>
  ({ groupKey, dc, master: { host: 'db1', port: 3306 }, standby: { host: 'db2', port: 3306 }, active: 'master', user: 'ferry', password: 'sealed', ...extra });

/** A FakeZk with the writes the prober makes. */
function zkWith(nodes: NodeRecord[]) {
  const fake = new FakeZk();
  fake.set(zkPaths.nodes, '');
  for (const n of nodes) fake.set(zkPaths.node(n.id), JSON.stringify(n));
  const zk = {
    getChildren: (path: string) => fake.getChildren(path),
    getData: (path: string) => fake.getData(path),
    setData: async (path: string, data: string) => {
      await fake.getData(path);
      fake.set(path, data);
      return 1;
    },
    create: (path: string, data: string) => Promise.resolve(fake.set(path, data)).then(() => path),
  } as unknown as ZkClient;
  const record = async (groupKey: string) => JSON.parse((await fake.getData(zkPaths.dataSourceHealth(groupKey))).data.toString()) as DataSourceHealthRecord;
  return { zk, record };
}

const reachable = (address: { host: string; port: number }, gtid: string): MemberHealth =>
  ({ ...address, reachable: true, flavor: 'MariaDB', version: '10.11', readOnly: false, replica: null, gtidPosition: gtid, gtidBinlogPos: gtid });

describe('the health prober', () => {
  it('measures only in the lowest-id live node of the data source\'s datacenter, and only that datacenter\'s data sources', async () => {
    const { zk, record } = zkWith([node('a0', 'dc1', 'leaving'), node('b1', 'dc1'), node('c2', 'dc1'), node('a9', 'dc2')]);
    const snapshot: ConfigSnapshot = { epoch: 1, channels: {}, dataSources: { shop: dataSource('shop', 'dc1'), far: dataSource('far', 'dc2') } };
    const probed: string[] = [];
    const probe: typeof probeMember = (address, _open, target) => {
      probed.push(`${target.groupKey}.${target.member}`);
      return Promise.resolve(reachable(address, target.member === 'master' ? '0-1-10' : '0-1-7'));
    };
    const prober = (id: string) => new HealthProber({ nodeId: id, dc: 'dc1', zk: () => zk, snapshot: () => snapshot, log, probe });
    expect(await prober('c2').measureOnce()).toEqual([]);
    expect(probed).toEqual([]);
    // a0 is lower but leaving: b1 measures.
    expect(await prober('b1').measureOnce()).toEqual(['shop']);
    expect(probed.sort()).toEqual(['shop.master', 'shop.standby']);
    expect(await record('shop')).toMatchObject({ groupKey: 'shop', active: 'master', measuredBy: 'b1', dc: 'dc1', behind: { transactions: 3 }, intervalMs: 3000 });
  });

  it('records an unreachable member as such, its distance unknown', async () => {
    const { zk, record } = zkWith([node('n1', 'dc1')]);
    const snapshot: ConfigSnapshot = { epoch: 1, channels: {}, dataSources: { shop: dataSource('shop', 'dc1', { active: 'standby' }) } };
    const probe: typeof probeMember = (address, _open, target) => Promise.resolve(target.member === 'master'
      ? { ...reachable(address, ''), reachable: false, gtidPosition: null, error: { code: 'FERRY_ERR_DATASOURCE_UNREACHABLE', message: 'down' } }
      : reachable(address, '0-1-9'));
    await new HealthProber({ nodeId: 'n1', dc: 'dc1', zk: () => zk, snapshot: () => snapshot, log, probe }).measureOnce();
    expect(await record('shop')).toMatchObject({ active: 'standby', master: { reachable: false }, behind: { transactions: null } });
  });

  it('never throws for a member whose password cannot be opened: reachable false with that code', async () => {
    const health = await probeMember({ host: '127.0.0.1', port: 1 }, () => {
      throw new FerryError('FERRY_ERR_SECRET_NO_KEY', { holder: 'this node', action: 'open', what: 'the password of shop' });
    }, { groupKey: 'shop', member: 'master' }, log);
    expect(health).toMatchObject({ host: '127.0.0.1', port: 1, reachable: false, gtidPosition: null, error: { code: 'FERRY_ERR_SECRET_NO_KEY' } });
  });

  it('reports a refused connection with FERRY_ERR_DATASOURCE_UNREACHABLE', async () => {
    const health = await probeMember({ host: '127.0.0.1', port: 1 }, () => ({ host: '127.0.0.1', port: 1, user: 'u', password: 'p' }), { groupKey: 'shop', member: 'standby' }, log, 2_000);
    expect(health.reachable).toBe(false);
    expect(health.error?.code).toBe('FERRY_ERR_DATASOURCE_UNREACHABLE');
    expect(health.error?.message).toContain('standby 127.0.0.1:1 of data source shop');
  });
});
