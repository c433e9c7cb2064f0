import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeyLine } from '../../shared/secrets/index.ts';

/**
 * The secret key file tests start managers and nodes with (as FERRY_SECRET_KEY_FILE for
 * `bin/ferry` processes, `secretKeyFile` for in-process managers): one per test worker, mode
 * 0600, removed when the worker exits. Tests of rotation make their own.
 */
let path: string | undefined;

export function testSecretKeyFile(): string {
  if (path !== undefined) return path;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-key-'));
  path = join(dir, 'secret.key');
  writeFileSync(path, `${newKeyLine()}\n`, { mode: 0o600 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}
