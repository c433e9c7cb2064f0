import { describe, expect, it } from 'vitest';
import { allows, authorize, bearerToken, ROLE_ACTIONS, sameSecret, type Action } from '../../../manager/api/auth.ts';
import type { TokenRoleT } from '../../../shared/cluster/model.ts';

const ACTIONS: Action[] = ['read', 'channel.run', 'datasource.switch', 'config.write', 'tokens', 'stats.report', 'audit.read'];

describe('API roles', () => {
  it('grants each role exactly its actions', () => {
    const table = Object.fromEntries((Object.keys(ROLE_ACTIONS) as TokenRoleT[]).map((role) => [role, ACTIONS.filter((a) => allows(role, a))]));
    expect(table).toEqual({
      admin: ACTIONS,
      operator: ['read', 'channel.run', 'datasource.switch'],
      viewer: ['read'],
      node: ['read', 'stats.report'],
    });
  });

  it('refuses with FERRY_ERR_API_FORBIDDEN naming role and action', () => {
    expect(() => authorize({ name: 'v', role: 'viewer' }, 'config.write')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_API_FORBIDDEN', http: 403, details: { role: 'viewer', action: 'config.write' } }));
    expect(() => authorize({ name: 'o', role: 'operator' }, 'channel.run')).not.toThrow();
  });

  it('reads bearer tokens and compares secrets of any length', () => {
    expect(bearerToken('Bearer abc.DEF-_1')).toBe('abc.DEF-_1');
    expect(bearerToken('bearer  tok ')).toBe('tok');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(sameSecret('a-long-secret', 'a-long-secret')).toBe(true);
    expect(sameSecret('a-long-secret', 'short')).toBe(false);
  });
});
