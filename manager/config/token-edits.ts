import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode, type ConfigStore } from '../../shared/cluster/config-store.ts';
import type { TokenRecord, TokenRoleT } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { BOOTSTRAP_ADMIN, sha256Hex } from '../api/auth.ts';
import { readRecords } from '../runtime-state.ts';

/**
 * API tokens under /config/tokens/<sha256 of the token>. Names are unique; since tokens are
 * not part of the configuration snapshot, an edit lists them after reading the epoch and
 * commits only if the epoch has not moved (every token edit bumps it, like any config edit).
 */

const ATTEMPTS = 8;

class EpochMoved extends Error {}

export async function listTokens(zk: ZkClient): Promise<Map<string, TokenRecord>> {
  const records = await readRecords<TokenRecord>(zk, zkPaths.tokens, zkPaths.token);
  return new Map([...records].map(([hash, { value }]) => [hash, value]));
}

/** Runs `plan` on the token list as of one epoch; starts over when another edit landed. */
async function editTokens(zk: ZkClient, store: ConfigStore, plan: (tokens: Map<string, TokenRecord>) => ReturnType<Parameters<ConfigStore['edit']>[0]>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const epoch = await store.epoch();
    const tokens = await listTokens(zk);
    try {
      await store.edit((snapshot) => {
        if (snapshot.epoch !== epoch) throw new EpochMoved();
        return plan(tokens);
      });
      return;
    } catch (error) {
      if (!(error instanceof EpochMoved) || attempt >= ATTEMPTS) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

/** Creates a token and returns it: the only time anyone sees it. */
export async function createToken(zk: ZkClient, store: ConfigStore, name: string, role: TokenRoleT, node?: string): Promise<{ name: string; role: TokenRoleT; node?: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const record: TokenRecord = { name, role, ...(node === undefined ? {} : { node }), createdAt: new Date().toISOString() };
  await editTokens(zk, store, (tokens) => {
    if (name === BOOTSTRAP_ADMIN || [...tokens.values()].some((t) => t.name === name)) {
      throw new FerryError('FERRY_ERR_API_CONFLICT', { what: 'token', name, detail: name === BOOTSTRAP_ADMIN ? 'is the name of the bootstrap admin token' : 'already exists' });
    }
    return [{ op: 'create', path: zkPaths.token(sha256Hex(token)), data: encode(record) }];
  });
  return { name, role, ...(node === undefined ? {} : { node }), token };
}

export async function deleteToken(zk: ZkClient, store: ConfigStore, name: string): Promise<void> {
  await editTokens(zk, store, (tokens) => {
    const hashes = [...tokens].filter(([, t]) => t.name === name).map(([hash]) => hash);
    if (hashes.length === 0) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'token', name });
    return hashes.map((hash) => ({ op: 'remove' as const, path: zkPaths.token(hash) }));
  });
}
