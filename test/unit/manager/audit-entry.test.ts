import { describe, expect, it } from 'vitest';
import { auditQuery } from '../../../manager/api/routes/audit.ts';
import { isAudited, MAX_STORED_BODY_CHARS, redactQuery, redactSecrets, storedBody } from '../../../manager/audit/audit-entry.ts';

/** What an audit entry keeps of a request: never a secret in clear. */

describe('audit entries', () => {
  it('redacts every field named like a secret, at any depth and in arrays, and sealed values anywhere', () => {
    const body = {
      groupKey: 'shop-eu',
      user: 'repl',
      password: 'hunter2-pw',
      master: { host: 'db1', port: 3306, sslKey: '/etc/ferry/key.pem' },
      members: [{ adminPassword: 'x-pw' }, { clientSecret: 'y-secret' }],
      nested: { deeper: { apiToken: 'tok-123', Authorization: 'Bearer abc', privateKey: 'PEM', passphrase: 'pp' } },
      sealed: 'ferry-secret:v1:abcd:iv:data',
      reason: 'maintenance',
      empty: null,
    };
    const redacted = redactSecrets(body) as typeof body;
    const text = JSON.stringify(redacted);
    for (const secret of ['hunter2-pw', 'x-pw', 'y-secret', 'tok-123', 'Bearer abc', 'PEM', 'pp"', 'ferry-secret:']) expect(text).not.toContain(secret);
    expect(redacted).toEqual({
      groupKey: 'shop-eu',
      user: 'repl',
      password: '[redacted]',
      master: { host: 'db1', port: 3306, sslKey: '/etc/ferry/key.pem' },
      members: [{ adminPassword: '[redacted]' }, { clientSecret: '[redacted]' }],
      nested: { deeper: { apiToken: '[redacted]', Authorization: '[redacted]', privateKey: '[redacted]', passphrase: '[redacted]' } },
      sealed: '[redacted]',
      reason: 'maintenance',
      empty: null,
    });
    // The request's own body is left as it was.
    expect(body.password).toBe('hunter2-pw');
  });

  it('redacts query parameters named like secrets and keeps the rest as sent', () => {
    expect(redactQuery('version=3')).toBe('version=3');
    expect(redactQuery('version=3&token=abc&password=p')).toBe('version=3&token=%5Bredacted%5D&password=%5Bredacted%5D');
  });

  it('keeps only the size of a body too large to store, and nothing for no body', () => {
    expect(storedBody(undefined)).toEqual({});
    expect(storedBody({ a: 1 })).toEqual({ body: { a: 1 } });
    // A refused body may hold a secret under any name (a password pasted into a misspelt field): only its shape is kept.
    expect(storedBody({ groupKey: 'bad key', colour: 'hunter2', master: { host: 'h', port: 3306 }, tags: [1, null] }, 400)).toEqual({
      body: { groupKey: 'string', colour: 'string', master: { host: 'string', port: 'number' }, tags: ['number', 'null'] },
    });
    const large = { reason: 'x'.repeat(MAX_STORED_BODY_CHARS), password: 'big-secret' };
    const stored = storedBody(large);
    expect(stored.body).toBeUndefined();
    expect(stored.bodyBytes).toBe(Buffer.byteLength(JSON.stringify(large)));
    expect(JSON.stringify(stored)).not.toContain('big-secret');
  });

  it('audits writes of any status and failed sign-ins of reads, not reads, nor URLs no route serves', () => {
    const route = '/api/v1/channels/:name';
    expect(isAudited('POST', 201, route)).toBe(true);
    expect(isAudited('DELETE', 404, route)).toBe(true);
    expect(isAudited('PUT', 409, route)).toBe(true);
    expect(isAudited('GET', 200, route)).toBe(false);
    expect(isAudited('GET', 403, route)).toBe(false);
    expect(isAudited('GET', 401, route)).toBe(true);
    expect(isAudited('HEAD', 200, route)).toBe(false);
    expect(isAudited('POST', 404, undefined)).toBe(false);
  });

  it('reads the route query into filters and refuses bad times, listing every problem', () => {
    expect(auditQuery({ status: '4xx', limit: '5', before: '17', by: 'ops', path: '/api/v1/channels', since: '2026-12-07T20:00:00Z' })).toEqual({
      limit: 5, before: 17, by: 'ops', pathPrefix: '/api/v1/channels', status: { hundreds: 4 }, sinceMs: Date.parse('2026-12-07T20:00:00Z'),
    });
    expect(auditQuery({ status: '409' }).status).toEqual({ exact: 409 });
    expect(auditQuery({}).limit).toBe(100);
    expect(() => auditQuery({ since: 'yesterday', until: '2026-13-45' })).toThrow(expect.objectContaining({
      code: 'FERRY_ERR_API_BAD_REQUEST',
      details: expect.objectContaining({ errors: [expect.objectContaining({ path: 'querystring:/since' }), expect.objectContaining({ path: 'querystring:/until' })] }) as unknown,
    }));
    expect(() => auditQuery({ since: '2026-12-07T20:00:00Z', until: '2026-12-07' })).toThrow(expect.objectContaining({ code: 'FERRY_ERR_API_BAD_REQUEST' }));
  });
});
