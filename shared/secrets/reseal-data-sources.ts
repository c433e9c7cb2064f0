import { encode, type ConfigStore, type VersionedSnapshot } from '../cluster/config-store.ts';
import { zkPaths } from '../cluster/zk-paths.ts';
import type { ZkOp } from '../zk/zk-client.ts';
import { isSealed } from './envelope.ts';
import type { Keyring } from './keyring.ts';
import { resealPassword } from './data-source-password.ts';

/**
 * Data source passwords sealed again under the key file's first key, through the ordinary
 * configuration edit (one multi-op with the epoch compare-and-set), so nodes see a new
 * configuration epoch, refresh their cache and open the new envelopes; their pipelines keep
 * running (the opened password, and so what runs, is unchanged).
 *
 * 'clear': only passwords stored in clear (a manager starting with a key migrates them).
 * 'all': also envelopes under another key (a rotation); one that no key of the file opens
 * stops the whole edit with its error, naming the data source, and nothing is written.
 */
export type ResealScope = 'clear' | 'all';

export interface ResealResult {
  /** Data sources whose password was written again. */
  resealed: string[];
  /** Data sources with a password. */
  withPassword: number;
  /** The configuration epoch after the edit (unchanged when nothing needed it). */
  epoch: number;
}

const needs = (scope: ResealScope, keyring: Keyring, password: string) =>
  password !== '' && (scope === 'all' ? !keyring.sealedByCurrentKey(password) : !isSealed(password));

function plan(snapshot: VersionedSnapshot, keyring: Keyring, scope: ResealScope, resealed: string[]): ZkOp[] {
  resealed.length = 0;
  const ops: ZkOp[] = [];
  for (const [groupKey, { value, version }] of Object.entries(snapshot.dataSources)) {
    if (!needs(scope, keyring, value.password)) continue;
    const next = { ...value, password: resealPassword(keyring, groupKey, value.password) };
    ops.push({ op: 'set', path: zkPaths.dataSource(groupKey), data: encode(next), version });
    resealed.push(groupKey);
  }
  return ops;
}

export async function resealDataSources(store: ConfigStore, keyring: Keyring, scope: ResealScope): Promise<ResealResult> {
  const before = await store.read();
  const withPassword = Object.values(before.dataSources).filter(({ value }) => value.password !== '').length;
  if (!Object.values(before.dataSources).some(({ value }) => needs(scope, keyring, value.password))) {
    return { resealed: [], withPassword, epoch: before.epoch };
  }
  const resealed: string[] = [];
  const epoch = await store.edit((snapshot) => plan(snapshot, keyring, scope, resealed));
  return { resealed: [...resealed].sort(), withPassword, epoch };
}
