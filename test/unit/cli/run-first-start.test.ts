import { describe, expect, it } from 'vitest';
import { runFerry } from '../../support/cli.ts';

/** `bin/ferry run` as a user starts it, with a host name that does not resolve (no server needed). */
describe('bin/ferry run at first start', () => {
  it('stops with one coded line when a host does not resolve, instead of retrying forever', async () => {
    // .invalid never resolves (RFC 2606). Before any connection worked, this is a typo, not an outage.
    // Passwords from the environment: a URL password would add its ps warning to stderr.
    const result = await runFerry(['run', '--source', 'mysql://repl@nohost.invalid:3306', '--source-password-env', 'SRC_PW', '--target', 'mysql://ferry@127.0.0.1:1', '--target-password-env', 'DST_PW', '--tables', 'shop.*'], { timeoutMs: 90_000, env: { SRC_PW: 'pw', DST_PW: 'pw' } });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ferry: FERRY_ERR_HOST_NOT_FOUND: the source host nohost\.invalid:3306 does not resolve/);
  }, 120_000);
});
