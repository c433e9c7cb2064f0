import { FerryError } from '../errors/index.ts';
import { isSealed } from './envelope.ts';
import type { Keyring } from './keyring.ts';

/**
 * Data source passwords at rest: sealed by the manager before they reach ZooKeeper, opened by
 * a node only in memory when it resolves a pipeline to run. An empty password (none) stays
 * empty. A clear-text password (written before secrets at rest, or by hand) is used as it is
 * by nodes and sealed by the next manager that starts with a key.
 */

/** Binds an envelope to its data source: it opens under no other groupKey. */
export const passwordContext = (groupKey: string): string => `datasource/${groupKey}`;
const what = (groupKey: string) => `the password of data source '${groupKey}'`;

/** Gives the keys in use now (a key file read again when it changed), or undefined without a key. */
export type KeySource = () => Keyring | undefined;

/** The form to store: sealed under the first key; '' stays ''. Without a key a password is refused. */
export function sealPassword(keys: KeySource, groupKey: string, password: string, holder = 'this manager'): string {
  if (password === '') return '';
  const keyring = keys();
  if (!keyring) throw new FerryError('FERRY_ERR_SECRET_NO_KEY', { holder, action: 'seal', what: what(groupKey) });
  return keyring.seal(password, passwordContext(groupKey));
}

/** The password to connect with, from its stored form. */
export function openPassword(keys: KeySource, groupKey: string, stored: string, holder = 'this node'): string {
  if (!isSealed(stored)) return stored;
  const keyring = keys();
  if (!keyring) throw new FerryError('FERRY_ERR_SECRET_NO_KEY', { holder, action: 'open', what: what(groupKey) });
  return keyring.open(stored, passwordContext(groupKey), what(groupKey));
}

/** The stored form under the first key: clear text sealed, an older key's envelope opened and sealed again. */
export function resealPassword(keyring: Keyring, groupKey: string, stored: string): string {
  if (stored === '' || keyring.sealedByCurrentKey(stored)) return stored;
  const plain = isSealed(stored) ? keyring.open(stored, passwordContext(groupKey), what(groupKey)) : stored;
  return keyring.seal(plain, passwordContext(groupKey));
}
