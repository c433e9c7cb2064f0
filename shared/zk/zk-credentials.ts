import { readFileSync } from 'node:fs';
import { FerryError, describeError } from '../errors/index.ts';
import type { ZkCredentials } from './zk-acl.ts';

/**
 * `user:password` for ZooKeeper's digest scheme, from the environment or a file (a command
 * line shows in `ps`, so there is no flag that takes the password itself). The user may not
 * hold ':' (the digest splits there) nor white space; the password may hold anything but a
 * line break. Errors name where the text came from, never the text.
 */
export function parseZkCredentials(text: string, source: string): ZkCredentials {
  const line = text.replace(/\r?\n$/, '');
  const bad = (detail: string) => new FerryError('FERRY_ERR_ZK_AUTH_INVALID', { source, detail });
  if (/[\r\n]/.test(line)) throw bad('one line of user:password expected');
  const colon = line.indexOf(':');
  if (colon < 0) throw bad('no \':\' between user and password');
  const user = line.slice(0, colon);
  const password = line.slice(colon + 1);
  if (user === '') throw bad('the user is empty');
  if (/\s/.test(user)) throw bad('the user holds white space');
  if (password === '') throw bad('the password is empty');
  return { user, password };
}

/** The credentials in `file`: its one line of user:password. */
export function readZkCredentialsFile(file: string, flag: string): ZkCredentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FerryError('FERRY_ERR_ZK_AUTH_INVALID', { source: `${flag} ${file}`, detail: `cannot read it: ${describeError(error)}` }, { cause: error });
  }
  return parseZkCredentials(text, `${flag} ${file}`);
}

/** A flag's file wins over the environment variable; undefined when neither is given. */
export function zkCredentialsFrom(file: string | undefined, flag: string, env: NodeJS.ProcessEnv, variable: string): ZkCredentials | undefined {
  if (file !== undefined) return readZkCredentialsFile(file, flag);
  const text = env[variable];
  return text === undefined || text === '' ? undefined : parseZkCredentials(text, variable);
}
