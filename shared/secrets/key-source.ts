import { KeyFile, secretKeyFilePath } from './key-file.ts';
import type { KeySource } from './data-source-password.ts';

/**
 * The keys a process runs with, from --secret-key-file or FERRY_SECRET_KEY_FILE. The file is
 * read at once, so that a missing, open or malformed one stops the process at start rather
 * than at the first password; afterwards it is read again whenever it changes.
 */
export interface ProcessKeys {
  /** The key file in use, or undefined when none was given. */
  path: string | undefined;
  keys: KeySource;
}

export function processKeys(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ProcessKeys {
  const path = secretKeyFilePath(flag, env);
  if (path === undefined) return { path, keys: () => undefined };
  const file = KeyFile.open(path);
  return { path, keys: () => file.current() };
}
