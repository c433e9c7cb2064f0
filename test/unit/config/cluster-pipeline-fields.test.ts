import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { ChannelPipelineSpec, ChannelSpec, type ChannelPipelineSpecT, type ConfigSnapshot } from '../../../shared/cluster/model.ts';
import { resolveClusterPipeline } from '../../../shared/cluster/resolve-cluster-pipeline.ts';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { PipelineSpec } from '../../../shared/config/pipeline-spec.ts';
import { channelProblems } from '../../../manager/config/channel-validation.ts';

/** A cluster pipeline takes the pipeline file's fields, and the node runs what was set. */

const dataSource = (groupKey: string, port: number) => ({ groupKey, dc: 'dc1', master: { host: 'db.example', port }, active: 'master' as const, user: 'ferry', password: 'pw' });

/** Every pipeline file field a channel takes, none at its default. */
const everyField = {
  name: 'p',
  description: 'orders to reporting',
  source: 'a',
  target: 'b',
  tables: ['shop.*'],
  from: 'gtid:0-1-100',
  onPurgedBinlog: 'resync',
  detectConflicts: true,
  validation: { intervalSeconds: 3600 },
  serverId: 3_100_001,
  batch: { maxRows: 500, maxDelayMs: 50, maxBytes: 65_536 },
  parallel: 2,
  queue: { maxRows: 5000, maxBytes: 1_048_576 },
  ddl: 'apply',
  errorPolicy: 'skip',
  skipPrechecks: ['binlog_retention'],
  systemSchema: '_ferry_ops',
  retry: { initialDelayMs: 200, maxDelayMs: 5000 },
  liveness: { heartbeatMs: 500, sourceSilenceMs: 2000, targetStatementMs: 60_000 },
  pipe: { compression: 'deflate-3' },
} satisfies ChannelPipelineSpecT;

const snapshotWith = (pipeline: ChannelPipelineSpecT): ConfigSnapshot => ({
  epoch: 1,
  dataSources: { a: dataSource('a', 3306), b: dataSource('b', 3307) },
  channels: { c: { name: 'c', pipelines: [pipeline] } },
});

describe('cluster pipeline fields', () => {
  it('takes every field of the pipeline file but the epoch (the cluster sets it), the hook (a path on the node) and bidirectional (the channel sets it)', () => {
    const file = Object.keys(PipelineSpec.properties).filter((k) => k !== 'epoch' && k !== 'hook' && k !== 'bidirectional').sort();
    expect(Object.keys(ChannelPipelineSpec.properties).filter((k) => k !== 'placement').sort()).toEqual(file);
  });

  it('accepts a channel setting every field, and the node resolves each of them', () => {
    expect([...Value.Errors(ChannelSpec, { name: 'c', pipelines: [everyField] })].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    const snapshot = snapshotWith(everyField);
    expect(channelProblems(snapshot.channels.c!, { ...snapshot, channels: {} })).toEqual([]);
    const resolved = resolveClusterPipeline(snapshot, 'p', 7);
    expect(resolved).toMatchObject({
      name: 'p',
      description: 'orders to reporting',
      source: { host: 'db.example', port: 3306, user: 'ferry' },
      target: { host: 'db.example', port: 3307 },
      from: { kind: 'gtid', flavor: 'mariadb', gtidSet: '0-1-100' },
      initialCopy: false,
      detectConflicts: true,
      onPurgedBinlog: 'resync',
      validation: { intervalSeconds: 3600 },
      serverId: 3_100_001,
      batch: { maxRows: 500, maxDelayMs: 50, maxBytes: 65_536 },
      parallel: 2,
      queue: { maxRows: 5000, maxBytes: 1_048_576 },
      ddl: 'apply',
      errorPolicy: 'skip',
      skipPrechecks: ['binlog_retention'],
      systemSchema: '_ferry_ops',
      retry: { initialDelayMs: 200, maxDelayMs: 5000 },
      liveness: { heartbeatMs: 500, sourceSilenceMs: 2000, targetStatementMs: 60_000 },
      pipe: { compression: 'deflate-3' },
      epoch: 7,
    });
  });

  it('fills the defaults on the node, not in the stored channel', () => {
    const partial = { name: 'p', source: 'a', target: 'b', tables: ['shop.*'], batch: { maxBytes: 4096 } };
    const stored = (Value.Default(ChannelSpec, structuredClone({ name: 'c', pipelines: [partial] })) as { pipelines: Record<string, unknown>[] }).pipelines[0];
    expect(stored?.batch).toEqual({ maxBytes: 4096 });
    for (const key of ['parallel', 'queue', 'ddl', 'errorPolicy', 'skipPrechecks', 'systemSchema', 'retry', 'description']) expect(stored, key).not.toHaveProperty(key);
    const resolved = resolveClusterPipeline(snapshotWith(partial), 'p', 0);
    expect(resolved.batch).toEqual({ maxRows: 1000, maxDelayMs: 20, maxBytes: 4096 });
    expect(resolved.queue).toEqual({ maxRows: 20_000, maxBytes: 8_388_608 });
    expect(resolved.from).toBeUndefined();
  });

  it('reads `from` exactly as the pipeline file does', () => {
    for (const from of ['gtid:0-1-100', '0-1-5,1-2-7', 'mysql-bin.000003:4', '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-10']) {
      const cluster = resolveClusterPipeline(snapshotWith({ ...everyField, from }), 'p', 0).from;
      const file = resolvePipeline({ source: 'mysql://ferry:pw@db.example:3306', target: 'mysql://ferry:pw@db.example:3307', tables: ['shop.*'], from }).from;
      expect(cluster, from).toEqual(file);
    }
    const problems = channelProblems({ name: 'c', pipelines: [{ ...everyField, from: 'mysql-bin.000003:1' }] }, { ...snapshotWith(everyField), channels: {} });
    expect(problems).toEqual([{ path: '/pipelines/0/from', message: expect.stringMatching(/positions start at 4/) as string }]);
  });

  it('refuses a serverId another reader of the same source uses', () => {
    const snapshot = snapshotWith(everyField);
    const second = { ...everyField, name: 'q' };
    expect(channelProblems({ name: 'd', pipelines: [second] }, snapshot)).toEqual([
      { path: '/pipelines/0/serverId', message: "pipeline 'p' already reads 'a' as server id 3100001; give each reader of a source its own serverId" },
    ]);
    expect(channelProblems({ name: 'd', pipelines: [{ ...second, serverId: 3_100_002 }] }, snapshot)).toEqual([]);
    // Another source may use the same id.
    expect(channelProblems({ name: 'd', pipelines: [{ ...second, source: 'b', target: 'a' }] }, snapshot)).toEqual([]);
  });
});
