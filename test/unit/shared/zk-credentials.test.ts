import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestId, sameAcl } from '../../../shared/zk/zk-acl.ts';
import { parseZkCredentials, readZkCredentialsFile, zkCredentialsFrom } from '../../../shared/zk/zk-credentials.ts';

describe('ZooKeeper credentials', () => {
  it('reads user:password, the password holding anything but a line break, one trailing newline dropped', () => {
    expect(parseZkCredentials('ferry:s3cret', 'FERRY_ZK_AUTH')).toEqual({ user: 'ferry', password: 's3cret' });
    expect(parseZkCredentials('ferry:a:b c=\n', 'FERRY_ZK_AUTH')).toEqual({ user: 'ferry', password: 'a:b c=' });
    expect(parseZkCredentials('ferry:pw\r\n', 'f')).toEqual({ user: 'ferry', password: 'pw' });
  });

  it('refuses bad formats with FERRY_ERR_ZK_AUTH_INVALID naming the source, never the text', () => {
    const cases: Array<[string, string]> = [
      ['', 'no \':\''],
      ['justapassword', 'no \':\''],
      [':hunter2', 'user is empty'],
      ['ferry:', 'password is empty'],
      ['fer ry:hunter2', 'white space'],
      ['ferry:hunter2\nother:x', 'one line'],
    ];
    for (const [text, why] of cases) {
      let caught: unknown;
      try {
        parseZkCredentials(text, 'FERRY_ZK_AUTH');
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'FERRY_ERR_ZK_AUTH_INVALID', message: expect.stringContaining(why) as string });
      expect((caught as Error).message).toContain('FERRY_ZK_AUTH');
      expect((caught as Error).message).not.toContain('hunter2');
    }
  });

  it('takes a flag\'s file over the environment, and an unreadable file is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-zk-auth-'));
    const file = join(dir, 'auth');
    writeFileSync(file, 'from-file:pw1\n');
    expect(zkCredentialsFrom(file, '--zk-auth-file', { FERRY_ZK_AUTH: 'from-env:pw2' }, 'FERRY_ZK_AUTH')).toEqual({ user: 'from-file', password: 'pw1' });
    expect(zkCredentialsFrom(undefined, '--zk-auth-file', { FERRY_ZK_AUTH: 'from-env:pw2' }, 'FERRY_ZK_AUTH')).toEqual({ user: 'from-env', password: 'pw2' });
    expect(zkCredentialsFrom(undefined, '--zk-auth-file', { FERRY_ZK_AUTH: '' }, 'FERRY_ZK_AUTH')).toBeUndefined();
    expect(() => readZkCredentialsFile(join(dir, 'missing'), '--zk-auth-file')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_INVALID', message: expect.stringContaining('--zk-auth-file') as string }));
  });

  it('derives the digest id ZooKeeper does (the documented super:test example)', () => {
    expect(digestId({ user: 'super', password: 'test' })).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });

  it('compares ACLs as sets, whatever the order of entries and letters', () => {
    expect(sameAcl([{ scheme: 'digest', id: 'a:x', perms: 'rw' }, { scheme: 'world', id: 'anyone', perms: 'r' }], [{ scheme: 'world', id: 'anyone', perms: 'r' }, { scheme: 'digest', id: 'a:x', perms: 'wr' }])).toBe(true);
    expect(sameAcl([{ scheme: 'digest', id: 'a:x', perms: 'rw' }], [{ scheme: 'digest', id: 'a:x', perms: 'r' }])).toBe(false);
  });
});
