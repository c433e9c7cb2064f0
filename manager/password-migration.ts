import type { ConfigStore } from '../shared/cluster/config-store.ts';
import { describeError, isFerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { isSealed, resealDataSources, type KeySource } from '../shared/secrets/index.ts';

/**
 * A manager's first act with a fresh session: data source passwords still in clear (written
 * before secrets at rest, or by hand) are sealed under the key file's first key. Managers
 * starting together race harmlessly (each edit is a compare-and-set; the loser finds nothing
 * left). Without a key, the clear passwords are only named in a warning. A failure is logged,
 * never fatal: the next start tries again.
 */
export async function migrateClearPasswords(store: ConfigStore, keys: KeySource, log: Logger): Promise<void> {
  try {
    const keyring = keys();
    if (!keyring) {
      const clear = Object.entries((await store.read()).dataSources).filter(([, { value }]) => value.password !== '' && !isSealed(value.password)).map(([groupKey]) => groupKey);
      if (clear.length > 0) log.warn({ dataSources: clear }, 'data source passwords are stored in clear; start a manager with --secret-key-file to seal them');
      return;
    }
    const result = await resealDataSources(store, keyring, 'clear');
    if (result.resealed.length > 0) log.info({ dataSources: result.resealed, keyId: keyring.sealingKeyId, configEpoch: result.epoch }, 'clear-text data source passwords sealed');
  } catch (error) {
    log.error({ code: isFerryError(error) ? error.code : undefined, detail: describeError(error) }, 'sealing clear-text data source passwords failed');
  }
}
