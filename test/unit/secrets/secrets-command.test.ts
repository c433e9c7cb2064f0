import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readKeyring } from '../../../shared/secrets/index.ts';
import { runFerry } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-secrets-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/ferry secrets', () => {
  it('new-key prints a key, or puts one first in a 0600 file and prints its id', async () => {
    const printed = await runFerry(['secrets', 'new-key']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    const file = join(dir, 'secret.key');
    const first = await runFerry(['secrets', 'new-key', file]);
    const second = await runFerry(['secrets', 'new-key', file]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const ids = readKeyring(file).ids;
    expect(ids).toHaveLength(2);
    expect(second.stdout).toContain(`key ${ids[0]} is now first in ${file}`);
    expect(first.stdout).toContain(`key ${ids[1]} is now first`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rotate needs --zk and a key file; unknown actions are usage errors', async () => {
    const rotate = await runFerry(['secrets', 'rotate'], { env: { FERRY_SECRET_KEY_FILE: '' } });
    expect(rotate.code).toBe(2);
    expect(rotate.stderr).toContain('--zk is required');
    const noKey = await runFerry(['secrets', 'rotate', '--zk', '127.0.0.1:1'], { env: { FERRY_SECRET_KEY_FILE: '' } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--secret-key-file');
    expect((await runFerry(['secrets', 'spin'])).code).toBe(2);
  });
});
