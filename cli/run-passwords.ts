import { readFileSync } from 'node:fs';
import type { RuntimePipeline } from '../shared/config/load-pipeline-config.ts';
import { checkMysqlUrl } from '../shared/config/mysql-url.ts';
import { FerryError, describeError } from '../shared/errors/index.ts';

/**
 * Passwords for `bin/ferry run` from outside the command line, which `ps` shows to every user
 * of the machine: `--source-password-env VAR` / `--source-password-file FILE` and the same for
 * the target. A file's content is the password, one trailing newline removed (as `echo` writes
 * it). They replace the password of the URL or of the pipeline file.
 */

type Side = 'source' | 'target';
const SIDES: readonly Side[] = ['source', 'target'];

export const PASSWORD_FLAGS = {
  'source-password-env': { type: 'string' },
  'source-password-file': { type: 'string' },
  'target-password-env': { type: 'string' },
  'target-password-file': { type: 'string' },
} as const;

type Flags = Partial<Record<keyof typeof PASSWORD_FLAGS | Side, string | undefined>>;

/** The password of each side the flags name; every problem at once, never quoting a value. */
export function flagPasswords(values: Flags, env: NodeJS.ProcessEnv = process.env): Partial<Record<Side, string>> {
  const usage: string[] = [];
  const unreadable: string[] = [];
  const passwords: Partial<Record<Side, string>> = {};
  for (const side of SIDES) {
    const variable = values[`${side}-password-env`];
    const file = values[`${side}-password-file`];
    if (variable !== undefined && file !== undefined) {
      usage.push(`give --${side}-password-env or --${side}-password-file, not both`);
      continue;
    }
    if ((variable !== undefined || file !== undefined) && urlPassword(values[side])) {
      usage.push(`the --${side} URL holds a password and --${side}-password-${variable !== undefined ? 'env' : 'file'} gives one too: leave it out of the URL`);
      continue;
    }
    if (variable !== undefined) {
      const value = env[variable];
      if (value === undefined) unreadable.push(`the environment variable ${variable} of --${side}-password-env is not set`);
      else passwords[side] = value;
    } else if (file !== undefined) {
      try {
        passwords[side] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        unreadable.push(`the file ${file} of --${side}-password-file cannot be read: ${describeError(error)}`);
      }
    }
  }
  if (usage.length > 0) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: [...usage, ...unreadable].join('; ') });
  if (unreadable.length > 0) throw new FerryError('FERRY_ERR_PASSWORD_SOURCE', { detail: unreadable.join('; ') });
  return passwords;
}

/** True when a command-line URL carries a password (which `ps` shows). */
export function urlPassword(url: string | undefined): boolean {
  if (url === undefined) return false;
  const checked = checkMysqlUrl(url);
  return checked.ok && checked.endpoint.password !== '';
}

/** Sides whose password sits in a URL on the command line. */
export function sidesWithUrlPassword(values: Flags): Side[] {
  return SIDES.filter((side) => urlPassword(values[side]));
}

/** The pipeline with the flags' passwords in place (it stays frozen). */
export function withPasswords(pipeline: RuntimePipeline, passwords: Partial<Record<Side, string>>): RuntimePipeline {
  if (passwords.source === undefined && passwords.target === undefined) return pipeline;
  const endpoint = (side: Side) => (passwords[side] === undefined ? pipeline[side] : Object.freeze({ ...pipeline[side], password: passwords[side] }));
  return Object.freeze({ ...pipeline, source: endpoint('source'), target: endpoint('target') });
}
