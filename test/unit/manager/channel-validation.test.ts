import { describe, expect, it } from 'vitest';
import type { ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from '../../../shared/cluster/model.ts';
import { channelProblems, selfReplicationProblems } from '../../../manager/config/channel-validation.ts';
import { dataSourceProblems } from '../../../manager/config/datasource-edits.ts';

const ds = (groupKey: string, port: number, extra: Partial<DataSourceSpecT> = {}): DataSourceSpecT =>
  ({ groupKey, dc: 'dc1', master: { host: 'db.example', port }, active: 'master', user: 'ferry', password: '', ...extra });

const snapshot = (channels: ChannelSpecT[] = []): ConfigSnapshot => ({
  epoch: 3,
  dataSources: { a: ds('a', 3306), b: ds('b', 3307), alias: ds('alias', 3306), sw: ds('sw', 3308, { standby: { host: 'db.example', port: 3307 } }) },
  channels: Object.fromEntries(channels.map((c) => [c.name, c])),
});

const pipeline = (name: string, source: string, target: string, tables: ChannelSpecT['pipelines'][number]['tables'] = ['shop.*']) => ({ name, source, target, tables });

describe('channel validation', () => {
  it('accepts a valid channel', () => {
    expect(channelProblems({ name: 'c', pipelines: [pipeline('p', 'a', 'b'), pipeline('q', 'b', 'a')], bidirectional: { primary: 'a' } }, snapshot())).toEqual([]);
  });

  it('lists every problem at once, each at its field', () => {
    const other: ChannelSpecT = { name: 'old', pipelines: [pipeline('taken', 'a', 'b')] };
    const problems = channelProblems({
      name: 'c',
      pipelines: [pipeline('taken', 'ghost', 'b'), pipeline('taken', 'a', 'alias', ['shop.*', { source: 'x.*', target: 'y.t' }])],
    }, snapshot([other]));
    expect(problems).toEqual([
      { path: '/pipelines/0/name', message: "pipeline name 'taken' is already used by channel 'old' (pipeline names are unique in the cluster)" },
      { path: '/pipelines/0/source', message: "unknown data source 'ghost'" },
      { path: '/pipelines/1/name', message: "pipeline name 'taken' is already used by pipeline 0 of this channel" },
      { path: '/pipelines/1/target', message: "'alias' is the same database server (db.example:3306) as the source 'a'" },
      { path: '/pipelines/1/tables/1/target', message: expect.stringMatching(/target table must be \*/) as string },
    ]);
  });

  it('refuses the same groupKey on both sides, and compares the active servers', () => {
    expect(channelProblems({ name: 'c', pipelines: [pipeline('p', 'a', 'a')] }, snapshot()).map((p) => p.path)).toEqual(['/pipelines/0/target']);
    // sw's master differs from b, but its standby is b's server: fine until it switches.
    expect(channelProblems({ name: 'c', pipelines: [pipeline('p', 'sw', 'b')] }, snapshot())).toEqual([]);
    const switched = snapshot([{ name: 'c', pipelines: [pipeline('p', 'sw', 'b')] }]);
    switched.dataSources.sw = { ...switched.dataSources.sw!, active: 'standby' };
    expect(selfReplicationProblems(switched, 'sw')).toEqual([{ path: '', message: "pipeline 'p' of channel 'c' would read and write the same database server (db.example:3307)" }]);
  });

  it('reports what resolvePipeline refuses under the pipeline', () => {
    const problems = channelProblems({ name: 'c', pipelines: [{ ...pipeline('p', 'a', 'b'), batch: { maxRows: 5000 }, skipPrechecks: ['server_id'] }] }, snapshot());
    expect(problems).toEqual([]);
    const badHost = snapshot();
    badHost.dataSources.a = ds('a', 3306, { master: { host: 'db:3306', port: 3306 } });
    expect(channelProblems({ name: 'c', pipelines: [pipeline('p', 'a', 'b')] }, badHost)).toEqual([
      { path: '/pipelines/0/source', message: expect.stringMatching(/^data source 'a'\/host: /) as string },
    ]);
  });

  it('checks a data source on its own', () => {
    expect(dataSourceProblems(ds('a', 3306))).toEqual([]);
    expect(dataSourceProblems(ds('a', 3306, { active: 'standby' })).map((p) => p.path)).toEqual(['/active']);
    expect(dataSourceProblems(ds('a', 3306, { standby: { host: 'DB.example', port: 3306 } })).map((p) => p.path)).toEqual(['/standby']);
    expect(dataSourceProblems(ds('a', 3306, { master: { host: 'bad host', port: 1 } })).map((p) => p.path)).toEqual(['/master/host']);
  });
});
