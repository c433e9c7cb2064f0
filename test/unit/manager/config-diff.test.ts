import { describe, expect, it } from 'vitest';
import { configDiff, SECRET_MASK } from '../../../manager/config/config-diff.ts';

/** The diff the configuration history shows: JSON-pointer paths, secrets never in clear. */

const channel = (parallel: number, extra: Record<string, unknown> = {}) => ({
  name: 'orders',
  pipelines: [{ name: 'p1', source: 'a', target: 'b', tables: ['shop.*'], parallel, ...extra }],
});

describe('configDiff', () => {
  it('names a changed leaf by its JSON pointer with both values', () => {
    expect(configDiff(channel(4), channel(8))).toEqual([{ path: '/pipelines/0/parallel', op: 'replace', from: 4, to: 8 }]);
  });

  it('lists added and removed fields and array elements', () => {
    const before = channel(4, { batchRows: 500 });
    const after = { ...channel(4), description: 'x' };
    after.pipelines[0]!.tables.push('crm.*');
    expect(configDiff(before, after)).toEqual([
      { path: '/pipelines/0/tables/1', op: 'add', to: 'crm.*' },
      { path: '/pipelines/0/batchRows', op: 'remove', from: 500 },
      { path: '/description', op: 'add', to: 'x' },
    ]);
  });

  it('is empty for equal specs', () => {
    expect(configDiff(channel(4), channel(4))).toEqual([]);
  });

  it('shows a creation and a deletion field by field', () => {
    expect(configDiff(undefined, { a: 1, b: { c: 2 } })).toEqual([{ path: '/a', op: 'add', to: 1 }, { path: '/b', op: 'add', to: { c: 2 } }]);
    expect(configDiff({ a: 1 }, undefined)).toEqual([{ path: '/a', op: 'remove', from: 1 }]);
  });

  it('escapes ~ and / in keys (RFC 6901)', () => {
    expect(configDiff({ 'a/b~c': 1 }, { 'a/b~c': 2 })).toEqual([{ path: '/a~1b~0c', op: 'replace', from: 1, to: 2 }]);
  });

  it('shows a password change as changed, never its values', () => {
    const before = { groupKey: 'db', password: 'ferry-secret:v1:aaaa:old' };
    const after = { groupKey: 'db', password: 'ferry-secret:v1:aaaa:new' };
    const diff = configDiff(before, after);
    expect(diff).toEqual([{ path: '/password', op: 'replace', secret: true }]);
    expect(JSON.stringify(configDiff(undefined, after))).not.toContain('new');
    expect(JSON.stringify(configDiff(before, undefined))).not.toContain('old');
  });

  it('masks secrets inside a value shown whole', () => {
    const diff = configDiff({ members: [] }, { members: [{ host: 'h', password: 'clear-text' }] });
    expect(diff).toEqual([{ path: '/members/0', op: 'add', to: { host: 'h', password: SECRET_MASK } }]);
  });
});
