import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A ZooKeeper digest identity `ferry-<name>:<random password>` in `<dir>/zk-<name>.auth`
 * (0600), as `--zk-auth-file` reads it: passwords never on a command line. For clusters this
 * project starts itself (the demo, the chaos suite).
 */
export function writeZkAuthFile(dir: string, name: string): string {
  const file = join(dir, `zk-${name}.auth`);
  writeFileSync(file, `ferry-${name}:${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  return file;
}
