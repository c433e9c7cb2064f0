import { randomBytes } from 'node:crypto';
import { FerryError } from '../errors/index.ts';
import type { KeySource } from './data-source-password.ts';
import type { Keyring } from './keyring.ts';

/**
 * The secret the two nodes of a split pipeline authenticate their pipe with: 32 random bytes
 * the leader draws whenever either side is placed, sealed under the cluster key and bound to
 * the pipeline, and written into both assignment records (docs/split-pipelines.md). A node
 * opens it in memory only; a secret drawn anew shuts out the peer of the previous placement.
 */

/** Binds the envelope to its pipeline: it opens for no other. */
export const pipeSecretContext = (pipeline: string): string => `pipe/${pipeline}`;
const what = (pipeline: string) => `the pipe secret of pipeline '${pipeline}'`;

/** A new secret, sealed for `pipeline` under the first key. */
export function sealNewPipeSecret(keyring: Keyring, pipeline: string): string {
  return keyring.seal(randomBytes(32).toString('base64'), pipeSecretContext(pipeline));
}

/** The secret's 32 bytes, from the envelope in an assignment record. */
export function openPipeSecret(keys: KeySource, pipeline: string, sealed: string, holder = 'this node'): Buffer {
  const keyring = keys();
  if (!keyring) throw new FerryError('FERRY_ERR_SECRET_NO_KEY', { holder, action: 'open', what: what(pipeline) });
  return Buffer.from(keyring.open(sealed, pipeSecretContext(pipeline), what(pipeline)), 'base64');
}
