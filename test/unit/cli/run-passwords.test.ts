import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flagPasswords, withPasswords } from '../../../cli/run-passwords.ts';
import { pipelineFromQuickForm } from '../../../shared/config/load-pipeline-config.ts';
import { runFerry } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-run-passwords-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/ferry run: passwords from the environment or a file', () => {
  it('reads --*-password-env and --*-password-file (one trailing newline dropped) into the pipeline', () => {
    const file = join(dir, 'target.pw');
    writeFileSync(file, 'Tg pw:@/\n', { mode: 0o600 });
    const passwords = flagPasswords({ source: 'mysql://repl@h1:3306', 'source-password-env': 'SRC_PW', target: 'mysql://app@h2:3306', 'target-password-file': file }, { SRC_PW: 'Src-pw' });
    expect(passwords).toEqual({ source: 'Src-pw', target: 'Tg pw:@/' });
    const pipeline = withPasswords(pipelineFromQuickForm({ source: 'mysql://repl@h1:3306', target: 'mysql://app@h2:3306', tables: 'shop.*' }), passwords);
    expect(pipeline.source.password).toBe('Src-pw');
    expect(pipeline.target.password).toBe('Tg pw:@/');
    expect(Object.isFrozen(pipeline) && Object.isFrozen(pipeline.source)).toBe(true);
  });

  it('stops with one coded line naming every unset variable and unreadable file, never a password', async () => {
    const unreadable = join(dir, 'locked.pw');
    writeFileSync(unreadable, 'x', { mode: 0o000 });
    chmodSync(unreadable, 0o000);
    const missing = join(dir, 'missing.pw');
    const file = process.getuid?.() === 0 ? missing : unreadable;
    const result = await runFerry(['run', '--source', 'mysql://repl@127.0.0.1:1', '--source-password-env', 'FERRY_TEST_UNSET_PW', '--target', 'mysql://app@127.0.0.1:2', '--target-password-file', file, '--tables', 'shop.*'], { env: { FERRY_TEST_UNSET_PW: undefined } });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ferry: FERRY_ERR_PASSWORD_SOURCE: cannot read the password: the environment variable FERRY_TEST_UNSET_PW of --source-password-env is not set; the file .* of --target-password-file cannot be read/);
    expect(lines[0]).toContain(file);
  });

  it('refuses a password both in the URL and from a flag, and both flags for one side', async () => {
    const result = await runFerry(['run', '--source', 'mysql://repl:inline@127.0.0.1:1', '--source-password-env', 'X', '--target', 'mysql://app@127.0.0.1:2', '--target-password-env', 'Y', '--target-password-file', '/dev/null', '--tables', 'shop.*']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/FERRY_ERR_CLI_USAGE: the --source URL holds a password and --source-password-env gives one too: leave it out of the URL; give --target-password-env or --target-password-file, not both/);
    expect(result.stderr).not.toContain('inline');
  });

  it('warns in the log when a password sits in a URL on the command line, naming the side, not the password', async () => {
    // .invalid never resolves: the run stops right after its start-up checks.
    const result = await runFerry(['run', '--source', 'mysql://repl:Ps-visible-pw@nohost.invalid:3306', '--target', 'mysql://app@127.0.0.1:1', '--tables', 'shop.*'], { env: { FERRY_LOG_LEVEL: 'warn' } });
    expect(result.code).toBe(1);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; sides?: string[] });
    expect(warnings.filter((w) => w.level === 40 && w.sides !== undefined).map((w) => w.sides)).toEqual([['source']]);
    expect(result.stderr).not.toContain('Ps-visible-pw');
  });
});
