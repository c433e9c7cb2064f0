import { encode, plainSnapshot, type Versioned, type VersionedSnapshot } from '../../shared/cluster/config-store.ts';
import type { DataSourceSpecT, DataSourceView } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { hostProblem } from '../../shared/config/mysql-url.ts';
import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { sealPassword, type KeySource } from '../../shared/secrets/index.ts';
import type { DataSourceReplacementT } from '../api/schemas.ts';
import { badRequest } from './bad-request.ts';
import { selfReplicationProblems } from './channel-validation.ts';
import { historyOp, type ChangeOrigin } from './history.ts';
import { recordedEdit, type EditContext } from './recorded-edit.ts';

/**
 * Data source edits. Each runs inside ConfigStore.edit: checked against a consistent
 * snapshot and committed with the epoch compare-and-set, so two managers editing at once
 * never lose an update and "in use" stays true under races. Each writes its configuration
 * history entry (history.ts) in the same multi-op; a switch is a change too.
 */

export function dataSourceView({ value, version }: Versioned<DataSourceSpecT>): DataSourceView {
  const { password, ...rest } = value;
  return { ...rest, hasPassword: password !== '', version };
}

/** Problems of a data source on its own (the schema has passed). */
export function dataSourceProblems(spec: DataSourceSpecT): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const badMaster = hostProblem(spec.master.host);
  if (badMaster) problems.push({ path: '/master/host', message: badMaster });
  if (spec.standby) {
    const badStandby = hostProblem(spec.standby.host);
    if (badStandby) problems.push({ path: '/standby/host', message: badStandby });
    if (spec.standby.host.toLowerCase() === spec.master.host.toLowerCase() && spec.standby.port === spec.master.port) {
      problems.push({ path: '/standby', message: 'is the same server as master' });
    }
  } else if (spec.active === 'standby') {
    problems.push({ path: '/active', message: "is 'standby' but no standby is given" });
  }
  return problems;
}

/** The stored data source, or 404; 409 when `expectedVersion` is given and differs. */
function stored(snapshot: VersionedSnapshot, groupKey: string, expectedVersion?: number): Versioned<DataSourceSpecT> {
  const current = snapshot.dataSources[groupKey];
  if (!current) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new FerryError('FERRY_ERR_API_CONFLICT', { what: 'data source', name: groupKey, detail: `version is ${current.version}, not ${expectedVersion}`, version: current.version });
  }
  return current;
}

/** A replacement must not leave a pipeline reading and writing the same server. */
function checkReplacement(snapshot: VersionedSnapshot, next: DataSourceSpecT): void {
  const after = plainSnapshot(snapshot);
  after.dataSources[next.groupKey] = next;
  const problems = selfReplicationProblems(after, next.groupKey);
  if (problems.length > 0) throw badRequest(problems);
}

/**
 * Passwords are sealed (shared/secrets) before anything is written: ZooKeeper never holds one
 * in clear. A manager without a key refuses a password (FERRY_ERR_SECRET_NO_KEY) rather than
 * store it in clear.
 */
export async function createDataSource(ctx: EditContext, spec: DataSourceSpecT, keys: KeySource, origin: ChangeOrigin): Promise<DataSourceView> {
  return createSealedDataSource(ctx, { ...spec, password: sealPassword(keys, spec.groupKey, spec.password) }, origin);
}

/** Creates a data source whose password is already in its stored form (sealed, or ''). */
export async function createSealedDataSource(ctx: EditContext, sealed: DataSourceSpecT, origin: ChangeOrigin): Promise<DataSourceView> {
  const spec = sealed;
  const problems = dataSourceProblems(spec);
  if (problems.length > 0) throw badRequest(problems);
  await recordedEdit(ctx, 'datasources', spec.groupKey, (snapshot) => {
    if (snapshot.dataSources[spec.groupKey]) {
      throw new FerryError('FERRY_ERR_API_CONFLICT', { what: 'data source', name: spec.groupKey, detail: 'already exists (PUT replaces it)' });
    }
    return [
      { op: 'create', path: zkPaths.dataSource(spec.groupKey), data: encode(sealed) },
      historyOp('datasources', spec.groupKey, snapshot.epoch, origin, undefined, sealed),
    ];
  });
  return dataSourceView({ value: sealed, version: 0 });
}

export async function replaceDataSource(ctx: EditContext, groupKey: string, body: DataSourceReplacementT, keys: KeySource, origin: ChangeOrigin, expectedVersion?: number): Promise<DataSourceView> {
  if (body.groupKey !== undefined && body.groupKey !== groupKey) {
    throw badRequest([{ path: '/groupKey', message: `must be '${groupKey}', the data source of the URL (a data source cannot be renamed)` }]);
  }
  // Sealed once, outside the retried plan: a new password; left out, the stored form is kept.
  const newPassword = body.password === undefined ? undefined : sealPassword(keys, groupKey, body.password);
  return replaceSealedDataSource(ctx, groupKey, { ...body, password: newPassword }, origin, expectedVersion);
}

/** A replacement whose password, when given, is already in its stored form. */
export async function replaceSealedDataSource(ctx: EditContext, groupKey: string, body: DataSourceReplacementT, origin: ChangeOrigin, expectedVersion?: number): Promise<DataSourceView> {
  const newPassword = body.password;
  let result: Versioned<DataSourceSpecT> | undefined;
  await recordedEdit(ctx, 'datasources', groupKey, (snapshot) => {
    const current = stored(snapshot, groupKey, expectedVersion);
    const next: DataSourceSpecT = { ...body, groupKey, active: body.active ?? current.value.active, password: newPassword ?? current.value.password };
    const problems = dataSourceProblems(next);
    if (problems.length > 0) throw badRequest(problems);
    checkReplacement(snapshot, next);
    result = { value: next, version: current.version + 1 };
    return [
      { op: 'set', path: zkPaths.dataSource(groupKey), data: encode(next), version: current.version },
      historyOp('datasources', groupKey, snapshot.epoch, origin, current.value, next),
    ];
  });
  return dataSourceView(result!);
}

export async function switchDataSource(ctx: EditContext, groupKey: string, to: 'master' | 'standby', origin: ChangeOrigin): Promise<DataSourceView> {
  // Already there: no edit, so nodes see no new epoch and restart nothing.
  const before = (await ctx.store.read()).dataSources[groupKey];
  if (before?.value.active === to) return dataSourceView(before);
  let result: Versioned<DataSourceSpecT> | undefined;
  try {
    await recordedEdit(ctx, 'datasources', groupKey, (snapshot) => {
      const current = stored(snapshot, groupKey);
      if (to === 'standby' && !current.value.standby) throw badRequest([{ path: '/to', message: `data source '${groupKey}' has no standby` }]);
      // Another switch got there first (two at once): still no edit, and no empty version in the history.
      if (current.value.active === to) throw new AlreadyThere(current);
      const next: DataSourceSpecT = { ...current.value, active: to };
      checkReplacement(snapshot, next);
      result = { value: next, version: current.version + 1 };
      return [
        { op: 'set', path: zkPaths.dataSource(groupKey), data: encode(next), version: current.version },
        historyOp('datasources', groupKey, snapshot.epoch, origin, current.value, next),
      ];
    });
  } catch (error) {
    if (error instanceof AlreadyThere) return dataSourceView(error.current);
    throw error;
  }
  return dataSourceView(result!);
}

/** Thrown by a switch's plan to make no edit at all. */
class AlreadyThere extends Error {
  constructor(readonly current: Versioned<DataSourceSpecT>) {
    super('already active');
  }
}

export async function deleteDataSource(ctx: EditContext, groupKey: string, origin: ChangeOrigin, expectedVersion?: number): Promise<void> {
  await recordedEdit(ctx, 'datasources', groupKey, (snapshot) => {
    const current = stored(snapshot, groupKey, expectedVersion);
    const users = Object.values(snapshot.channels).flatMap(({ value }) =>
      value.pipelines.filter((p) => p.source === groupKey || p.target === groupKey).map((p) => p.name));
    if (users.length > 0) throw new FerryError('FERRY_ERR_DATASOURCE_IN_USE', { groupKey, pipelines: users.join(', ') });
    return [
      { op: 'remove', path: zkPaths.dataSource(groupKey) },
      historyOp('datasources', groupKey, snapshot.epoch, origin, current.value, undefined),
    ];
  });
}
