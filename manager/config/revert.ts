import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ChannelSpec, DataSourceSpec, type ChannelSpecT, type DataSourceSpecT, type DataSourceView } from '../../shared/cluster/model.ts';
import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import { isSealed, resealPassword, sealPassword, type KeySource } from '../../shared/secrets/index.ts';
import { badRequest } from './bad-request.ts';
import { createChannel, replaceChannel } from './channel-edits.ts';
import { createSealedDataSource, replaceSealedDataSource } from './datasource-edits.ts';
import { readHistoryEntry, type HistoryKind, type HistoryRecord } from './history.ts';
import type { EditContext } from './recorded-edit.ts';

/**
 * Reverts restore a version's spec through the same path as a PUT (same validation, same
 * refusal of a running channel), as a new version that says which one it restored. An entity
 * deleted since is created again when its name is free (it is: the entity is gone), so a
 * deletion can be undone; the version that records the deletion holds no spec and is refused.
 */

const WHAT: Record<HistoryKind, string> = { channels: 'channel', datasources: 'data source', tokens: 'token' };

async function versionSpec(ctx: EditContext, kind: HistoryKind, name: string, version: number): Promise<HistoryRecord & { spec: unknown }> {
  const record = await readHistoryEntry(ctx.zk, kind, name, version);
  if (!record) throw new FerryError('FERRY_ERR_HISTORY_VERSION_NOT_FOUND', { what: WHAT[kind], name, version });
  if (record.spec === undefined) {
    throw new FerryError('FERRY_ERR_HISTORY_NOT_REVERTIBLE', { what: WHAT[kind], name, version, detail: 'it records the deletion; revert to the version before it to create it again' });
  }
  return record as HistoryRecord & { spec: unknown };
}

/** The schema as it is today: a spec stored under an older Ferry must still pass it. */
function schemaProblems(schema: TSchema, value: unknown): ConfigProblem[] {
  return [...Value.Errors(schema, value)].map((e) => ({ path: e.path, message: e.message }));
}

export async function revertChannel(ctx: EditContext, name: string, version: number, by: string, reason?: string): Promise<void> {
  const { spec } = await versionSpec(ctx, 'channels', name, version);
  const problems = schemaProblems(ChannelSpec, spec);
  if (problems.length > 0) throw badRequest(problems);
  const origin = { by, revertOf: version, ...(reason === undefined ? {} : { reason }) };
  const exists = (await ctx.store.read()).channels[name] !== undefined;
  if (exists) await replaceChannel(ctx, name, spec as ChannelSpecT, origin);
  else await createChannel(ctx, spec as ChannelSpecT, origin);
}

/**
 * Restores a data source's version, but never its `active` member (a switch, not an edit: the
 * current one is kept) and never a password this manager cannot open: that is refused
 * (FERRY_ERR_HISTORY_SECRET_UNAVAILABLE) unless `keepPassword`, which keeps the current one.
 */
export async function revertDataSource(ctx: EditContext, groupKey: string, version: number, keys: KeySource, by: string, options: { keepPassword?: boolean; reason?: string } = {}): Promise<DataSourceView> {
  const { keepPassword = false, reason } = options;
  const { spec: stored } = await versionSpec(ctx, 'datasources', groupKey, version);
  const spec = stored as DataSourceSpecT;
  const problems = schemaProblems(DataSourceSpec, { ...spec, password: '' });
  if (problems.length > 0) throw badRequest(problems);
  const origin = { by, revertOf: version, ...(reason === undefined ? {} : { reason }) };
  const current = (await ctx.store.read()).dataSources[groupKey];
  const password = keepPassword && current ? current.value.password : restorablePassword(keys, groupKey, version, spec.password, current?.value.password);
  if (!current) return createSealedDataSource(ctx, { ...spec, password }, origin);
  const { active: _switch, ...rest } = spec;
  // `active` left out: the edit keeps the member active at the moment it commits.
  return replaceSealedDataSource(ctx, groupKey, { ...rest, password }, origin);
}

/** The version's password in a form this manager can stand behind: opened and sealed under its first key. */
function restorablePassword(keys: KeySource, groupKey: string, version: number, historic: string, current: string | undefined): string {
  if (historic === '' || historic === current) return historic;
  const unavailable = (detail: string, cause?: unknown) =>
    new FerryError('FERRY_ERR_HISTORY_SECRET_UNAVAILABLE', { name: groupKey, version, detail }, { cause });
  if (!isSealed(historic)) return sealPassword(keys, groupKey, historic);
  const keyring = keys();
  if (!keyring) throw unavailable('this manager has no secret key file');
  try {
    return resealPassword(keyring, groupKey, historic);
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_SECRET_UNKNOWN_KEY') || isFerryError(error, 'FERRY_ERR_SECRET_UNREADABLE')) {
      throw unavailable(error.message, error);
    }
    throw error;
  }
}
