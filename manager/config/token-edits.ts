import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode, type ConfigStore } from '../../shared/cluster/config-store.ts';
import type { TokenRecord, TokenRoleT } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { BOOTSTRAP_ADMIN, sha256Hex } from '../api/auth.ts';
import { readRecords } from '../runtime-state.ts';
import { ensureHistoryParent, historyOp, type ChangeOrigin } from './history.ts';
import type { EditContext } from './recorded-edit.ts';

/**
 * API tokens under /config/tokens/<sha256 of the token>. Names are unique; since tokens are
 * not part of the configuration snapshot, an edit lists them after reading the epoch and
 * commits only if the epoch has not moved (every token edit bumps it, like any config edit).
 * Each creation and deletion writes a configuration-history entry in the same multi-op: the
 * record (name, role, node, createdAt), never the token or its hash.
 */

const ATTEMPTS = 8;

class EpochMoved extends Error {}

export async function listTokens(zk: ZkClient): Promise<Map<string, TokenRecord>> {
  const records = await readRecords<TokenRecord>(zk, zkPaths.tokens, zkPaths.token);
  return new Map([...records].map(([hash, { value }]) => [hash, value]));
}

/** Runs `plan` on the token list as of one epoch; starts over when another edit landed. */
async function editTokens(ctx: EditContext, name: string, plan: (tokens: Map<string, TokenRecord>, epoch: number) => ReturnType<Parameters<ConfigStore['edit']>[0]>): Promise<void> {
  const { zk, store } = ctx;
  for (let attempt = 1; ; attempt++) {
    await ensureHistoryParent(zk, 'tokens', name);
    const epoch = await store.epoch();
    const tokens = await listTokens(zk);
    try {
      await store.edit((snapshot) => {
        if (snapshot.epoch !== epoch) throw new EpochMoved();
        return plan(tokens, epoch);
      });
      await ctx.history?.afterWrite('tokens', name);
      return;
    } catch (error) {
      if (!(error instanceof EpochMoved) || attempt >= ATTEMPTS) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

/** Creates a token and returns it: the only time anyone sees it. */
export async function createToken(ctx: EditContext, name: string, role: TokenRoleT, origin: ChangeOrigin, node?: string): Promise<{ name: string; role: TokenRoleT; node?: string; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const record: TokenRecord = { name, role, ...(node === undefined ? {} : { node }), createdAt: new Date().toISOString() };
  await editTokens(ctx, name, (tokens, epoch) => {
    if (name === BOOTSTRAP_ADMIN || [...tokens.values()].some((t) => t.name === name)) {
      throw new FerryError('FERRY_ERR_API_CONFLICT', { what: 'token', name, detail: name === BOOTSTRAP_ADMIN ? 'is the name of the bootstrap admin token' : 'already exists' });
    }
    return [
      { op: 'create', path: zkPaths.token(sha256Hex(token)), data: encode(record) },
      historyOp('tokens', name, epoch, origin, undefined, record),
    ];
  });
  return { name, role, ...(node === undefined ? {} : { node }), token };
}

export async function deleteToken(ctx: EditContext, name: string, origin: ChangeOrigin): Promise<void> {
  await editTokens(ctx, name, (tokens, epoch) => {
    const found = [...tokens].filter(([, t]) => t.name === name);
    if (found.length === 0) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'token', name });
    return [
      ...found.map(([hash]) => ({ op: 'remove' as const, path: zkPaths.token(hash) })),
      historyOp('tokens', name, epoch, origin, found[0]![1], undefined),
    ];
  });
}
