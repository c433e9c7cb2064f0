import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { FerryError, describeError } from '../errors/index.ts';
import { KEY_BYTES, keyIdOf } from './envelope.ts';
import { Keyring } from './keyring.ts';

/**
 * The secret key file (FERRY_SECRET_KEY_FILE or --secret-key-file): one key per line, each 32
 * random bytes in base64; blank lines and lines starting with '#' are ignored. The first key
 * seals, every key opens. Like ssh with a private key, Ferry refuses a key file that its group
 * or others may read or write (anything but mode 0600 or 0400 for its owner).
 */

export const SECRET_KEY_FILE_ENV = 'FERRY_SECRET_KEY_FILE';

/** The key file to use: the flag, else the environment; undefined when neither names one. */
export function secretKeyFilePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = flag ?? env[SECRET_KEY_FILE_ENV];
  return path === undefined || path.trim() === '' ? undefined : path;
}

const KEY_FILE_HEADER = '# Ferry secret keys: the first key seals, every key opens (README.md, Secrets at rest)';
const CANONICAL_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** A fresh key as a key file line. */
export function newKeyLine(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function keyFileError(path: string, detail: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_ERR_SECRET_KEY_FILE', { path, detail }, cause === undefined ? {} : { cause });
}

function checkMode(path: string, stats: Stats): void {
  if (process.platform === 'win32') return;
  if (!stats.isFile()) throw keyFileError(path, 'it is not a regular file');
  const open = stats.mode & 0o077;
  if (open !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    throw keyFileError(path, `its group or others may read or write it (mode ${mode}); run chmod 600 ${path}`);
  }
}

/** The keys of a key file's text; problems name line numbers, never a line's content. */
export function parseKeyFile(text: string, path: string): Buffer[] {
  const keys: Buffer[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!CANONICAL_KEY.test(line)) problems.push(`line ${i + 1} is not ${KEY_BYTES} bytes in base64 (make keys with bin/ferry secrets new-key)`);
    else keys.push(Buffer.from(line, 'base64'));
  });
  if (problems.length > 0) throw keyFileError(path, problems.join('; '));
  if (keys.length === 0) throw keyFileError(path, 'it holds no key (make one with bin/ferry secrets new-key FILE)');
  return keys;
}

function readChecked(path: string): { text: string; stats: Stats } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw keyFileError(path, describeError(error), error);
  }
  try {
    const stats = fstatSync(fd);
    checkMode(path, stats);
    return { text: readFileSync(fd, 'utf8'), stats };
  } finally {
    closeSync(fd);
  }
}

export function readKeyring(path: string): Keyring {
  return new Keyring(parseKeyFile(readChecked(path).text, path), path);
}

const identity = (stats: Stats) => `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.mode}`;

/**
 * A key file that is read again whenever it changes, so that managers and nodes take a key
 * added for a rotation (or one removed after it) without a restart. A file that became
 * unusable is an error at the next use, not a silent fall-back to the old keys.
 */
export class KeyFile {
  private keyring: Keyring;
  private seen: string;

  private constructor(readonly path: string, keyring: Keyring, seen: string) {
    this.keyring = keyring;
    this.seen = seen;
  }

  /** Reads the file now: a missing, open or malformed file stops the command at start. */
  static open(path: string): KeyFile {
    const { text, stats } = readChecked(path);
    return new KeyFile(path, new Keyring(parseKeyFile(text, path), path), identity(stats));
  }

  /** The current keys, read again when the file changed since the last call. */
  current(): Keyring {
    let stats: Stats;
    try {
      stats = statSync(this.path);
    } catch (error) {
      throw keyFileError(this.path, describeError(error), error);
    }
    if (identity(stats) !== this.seen) {
      const read = readChecked(this.path);
      this.keyring = new Keyring(parseKeyFile(read.text, this.path), this.path);
      this.seen = identity(read.stats);
    }
    return this.keyring;
  }
}

/**
 * Puts a new key first in `path` (created 0600 when missing), keeping the keys already there
 * so that what they sealed still opens. Returns the new key's id.
 */
export function addKeyToFile(path: string): string {
  const line = newKeyLine();
  let existing = '';
  let exists = true;
  try {
    statSync(path);
  } catch {
    exists = false;
  }
  if (exists) existing = readChecked(path).text;
  const kept = existing.split('\n').filter((l) => l.trim() !== KEY_FILE_HEADER).join('\n').replace(/^\n+/, '');
  const content = `${KEY_FILE_HEADER}\n${line}\n${kept}`;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (error) {
    throw keyFileError(path, describeError(error), error);
  }
  return keyIdOf(Buffer.from(line, 'base64'));
}
