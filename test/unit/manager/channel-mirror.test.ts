import { describe, expect, it } from 'vitest';
import type { ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from '../../../shared/cluster/model.ts';
import { channelProblems } from '../../../manager/config/channel-validation.ts';
import { patternsMeet } from '../../../manager/config/channel-mirror.ts';

const ds = (groupKey: string, port: number): DataSourceSpecT => ({ groupKey, dc: 'dc1', master: { host: 'db.example', port }, active: 'master', user: 'ferry', password: '' });
const snapshot: ConfigSnapshot = { epoch: 1, dataSources: { a: ds('a', 3306), b: ds('b', 3307), c: ds('c', 3308) }, channels: {} };
type Pipeline = ChannelSpecT['pipelines'][number];
const ab = (tables: Pipeline['tables'] = ['shop.*'], extra: Partial<Pipeline> = {}): Pipeline => ({ name: 'a-to-b', source: 'a', target: 'b', tables, ...extra });
const ba = (tables: Pipeline['tables'] = ['shop.*'], extra: Partial<Pipeline> = {}): Pipeline => ({ name: 'b-to-a', source: 'b', target: 'a', tables, ...extra });
const bidi = (pipelines: Pipeline[], bidirectional: ChannelSpecT['bidirectional'] = { primary: 'a' }): ChannelSpecT => ({ name: 'c', pipelines, bidirectional });
const problems = (channel: ChannelSpecT) => channelProblems(channel, snapshot);

describe('bidirectional channel validation', () => {
  it('accepts two pipelines that mirror each other, renames and columns turned round', () => {
    expect(problems(bidi([ab(), ba()]))).toEqual([]);
    expect(problems(bidi([
      ab(['shop.orders', { source: 'crm.*', target: 'crm_eu.*', columns: { include: ['id', 'Name'], rename: { name: 'full_name' } } }, { source: 'log.t', columns: { exclude: ['secret'] } }]),
      ba(['shop.orders', { source: 'crm_eu.*', target: 'crm.*', columns: { include: ['full_name', 'ID'], rename: { FULL_NAME: 'name' } } }, { source: 'log.t', columns: { exclude: ['secret'] } }]),
    ], { primary: 'b', conflicts: 'newer-wins', timestampColumn: 'updated_at' }))).toEqual([]);
  });

  it('refuses pipelines that are not each other\'s mirror, saying what to write', () => {
    expect(problems(bidi([ab(), { ...ba(), target: 'c' }]))).toEqual([
      { path: '/pipelines/1/target', message: "is 'c'; the mirror of pipeline 'a-to-b' (a -> b) writes 'a'" },
    ]);
    expect(problems(bidi([ab(['shop.*', 'crm.*']), ba(['crm.*', 'shop.*'])]))).toEqual([
      { path: '/pipelines/1/tables/0', message: expect.stringContaining(`write "shop.*"`) as string },
      { path: '/pipelines/1/tables/1', message: expect.stringContaining(`write "crm.*"`) as string },
    ]);
    expect(problems(bidi([ab([{ source: 'shop.*', target: 'shop_b.*' }]), ba(['shop_b.*'])]))).toEqual([
      { path: '/pipelines/1/tables/0', message: expect.stringContaining('write {"source":"shop_b.*","target":"shop.*"}') as string },
    ]);
    expect(problems(bidi([ab(['shop.*', 'crm.*']), ba(['shop.*'])])).map((p) => p.path)).toEqual(['/pipelines/1/tables']);
    expect(problems(bidi([ab(['shop.*']), ba(['shop.*', 'crm.*'])])).map((p) => p.path)).toEqual(['/pipelines/1/tables/1']);
    // Columns: one side keeps a column the other drops.
    expect(problems(bidi([ab([{ source: 'shop.t', columns: { exclude: ['x'] } }]), ba(['shop.t'])])).map((p) => p.path)).toEqual(['/pipelines/1/tables/0']);
  });

  it('refuses what cannot be mirrored: many tables gathered into one place', () => {
    const [problem] = problems(bidi([ab([{ source: 'shard_?.orders', target: 'all.orders' }]), ba(['all.orders'])]));
    expect(problem).toEqual({ path: '/pipelines/0/tables/0', message: expect.stringMatching(/^cannot be mirrored: the schema pattern 'shard_\?' is written into the one schema 'all'/) as string });
  });

  it('wants one pipeline back, the same systemSchema, a primary among the sources, timestampColumn with newer-wins only', () => {
    expect(problems(bidi([ab()]))).toEqual([{ path: '/bidirectional', message: expect.stringContaining("add a second pipeline from 'b' back to 'a'") as string }]);
    expect(problems(bidi([ab(), ba(['shop.*'], { systemSchema: '_ferry_b' })]))).toEqual([
      { path: '/pipelines/1/systemSchema', message: "is '_ferry_b' and pipeline 'a-to-b' uses '_ferry'; give both pipelines the same systemSchema: each recognises the other's loop marks in it" },
    ]);
    expect(problems(bidi([ab(), ba()], { primary: 'c' }))).toEqual([{ path: '/bidirectional/primary', message: expect.stringMatching(/^'c' is not a source of this channel; name one of 'a' and 'b'/) as string }]);
    expect(problems(bidi([ab(), ba()], { primary: 'a', conflicts: 'newer-wins' }))).toEqual([
      { path: '/bidirectional/timestampColumn', message: expect.stringMatching(/^newer-wins needs timestampColumn/) as string },
    ]);
    expect(problems(bidi([ab(), ba()], { primary: 'a', conflicts: 'stop', timestampColumn: 'updated_at' }))).toEqual([
      { path: '/bidirectional/timestampColumn', message: expect.stringMatching(/^only newer-wins compares a timestampColumn \(conflicts is 'stop'\)/) as string },
    ]);
  });

  it('refuses two opposite pipelines without bidirectional when a change would bounce', () => {
    const bounce = problems({ name: 'c', pipelines: [ab(['shop.*']), ba(['shop.orders'])] });
    expect(bounce).toEqual([{ path: '/bidirectional', message: expect.stringMatching(/go round and round forever\. Add bidirectional \{primary, conflicts\} to the channel/) as string }]);
    expect(problems({ name: 'c', pipelines: [ab([{ source: 'shop.*', target: 'eu.*' }]), ba([{ source: 'e?.order_*', target: 'shop.*' }])] }).map((p) => p.path)).toEqual(['/bidirectional']);
    // Disjoint tables flow one way each: fine.
    expect(problems({ name: 'c', pipelines: [ab(['shop.*']), ba(['crm.*'])] })).toEqual([]);
    // b-to-a's changes reach a-to-b's tables, but nothing of a-to-b's comes back: no loop.
    expect(problems({ name: 'c', pipelines: [ab([{ source: 'shop.*', target: 'eu.*' }]), ba(['shop.*'])] })).toEqual([]);
  });

  it('tells whether two name patterns share a name', () => {
    expect(patternsMeet('shop', 'shop')).toBe(true);
    expect(patternsMeet('shop', 'sh?p')).toBe(true);
    expect(patternsMeet('order_*', '*_2024')).toBe(true);
    expect(patternsMeet('a*', 'b*')).toBe(false);
    expect(patternsMeet('??', 'abc')).toBe(false);
    expect(patternsMeet('*', '')).toBe(true);
  });
});
