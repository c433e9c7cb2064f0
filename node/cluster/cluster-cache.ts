import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssignmentRecord, ConfigSnapshot, PermitRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { assignmentsOf, selectAssignmentsOf, type ClusterView } from './cluster-view.ts';

/**
 * The node's local copy of what it runs, so that it can start and keep replicating while
 * ZooKeeper is unreachable: the configuration, the assignments naming this node and the
 * permits of their channels. Data source passwords in it are sealed as in ZooKeeper
 * (shared/secrets); the file is private (0600) all the same.
 */
export interface ClusterCacheFile {
  configSnapshot: ConfigSnapshot;
  assignments: Record<string, AssignmentRecord>;
  /** Select sides of split pipelines naming this node (absent in caches of older versions). */
  selectAssignments?: Record<string, SelectAssignmentRecord>;
  permits: Record<string, PermitRecord>;
  savedAt: string;
}

export const CACHE_FILE = 'cluster-cache.json';

/** The part of the view this node caches. */
export function cacheContent(view: ClusterView, nodeId: string): Omit<ClusterCacheFile, 'savedAt'> {
  const mine = assignmentsOf(view, nodeId).map((entry) => entry.record);
  const selects = selectAssignmentsOf(view, nodeId).map((entry) => entry.record);
  const channels = new Set([...mine, ...selects].map((record) => record.channel));
  return {
    configSnapshot: view.snapshot,
    assignments: Object.fromEntries(mine.map((record) => [record.pipeline, record])),
    selectAssignments: Object.fromEntries(selects.map((record) => [record.pipeline, record])),
    permits: Object.fromEntries(Object.entries(view.permits).filter(([channel]) => channels.has(channel))),
  };
}

/** A view to run from while ZooKeeper is away (versions unknown: nothing is acked from it). */
export function viewFromCache(file: ClusterCacheFile): ClusterView {
  const assignments = Object.fromEntries(Object.entries(file.assignments).map(([name, record]) => [name, { record, version: -1 }]));
  const selectAssignments = Object.fromEntries(Object.entries(file.selectAssignments ?? {}).map(([name, record]) => [name, { record, version: -1 }]));
  return { snapshot: file.configSnapshot, assignments, selectAssignments, permits: file.permits };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the shape a node needs to run from; returns what is wrong, or undefined. */
function problemOf(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  const snapshot = value.configSnapshot;
  if (!isObject(snapshot) || typeof snapshot.epoch !== 'number' || !isObject(snapshot.dataSources) || !isObject(snapshot.channels)) return 'configSnapshot is missing or malformed';
  if (!isObject(value.assignments) || !Object.values(value.assignments).every((a) => isObject(a) && typeof a.pipeline === 'string' && typeof a.channel === 'string' && typeof a.epoch === 'number')) {
    return 'assignments are missing or malformed';
  }
  if (value.selectAssignments !== undefined && (!isObject(value.selectAssignments) || !Object.values(value.selectAssignments).every((a) => isObject(a) && typeof a.pipeline === 'string' && typeof a.channel === 'string' && typeof a.epoch === 'number' && isObject(a.pipe)))) {
    return 'selectAssignments are malformed';
  }
  if (!isObject(value.permits) || !Object.values(value.permits).every((p) => isObject(p) && typeof p.status === 'string')) return 'permits are missing or malformed';
  return undefined;
}

export class ClusterCache {
  readonly path: string;
  private lastWritten: string | undefined;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {
    this.path = join(dir, CACHE_FILE);
  }

  /** The cached state, or undefined when there is none or it cannot be used (logged). */
  async load(): Promise<ClusterCacheFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return this.unusable(describeError(error), error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return this.unusable(`not valid JSON: ${describeError(error)}`, error);
    }
    const problem = problemOf(parsed);
    if (problem) return this.unusable(problem);
    const file = parsed as ClusterCacheFile;
    this.lastWritten = JSON.stringify({ ...file, savedAt: undefined });
    return file;
  }

  /** Writes the content when it differs from the last write; atomic (tmp file + rename). */
  async save(content: Omit<ClusterCacheFile, 'savedAt'>): Promise<boolean> {
    const key = JSON.stringify({ ...content, savedAt: undefined });
    if (key === this.lastWritten) return false;
    const file: ClusterCacheFile = { ...content, savedAt: new Date().toISOString() };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(file, null, 2));
      // On disk before the rename: a crash leaves the old file or the new one, never half of one.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    this.lastWritten = key;
    this.log.debug({ path: this.path, assignments: Object.keys(content.assignments) }, 'cluster cache written');
    return true;
  }

  private unusable(detail: string, cause?: unknown): undefined {
    const error = new FerryError('FERRY_ERR_NODE_CACHE', { path: this.path, detail }, cause === undefined ? {} : { cause });
    this.log.error({ code: error.code, path: this.path, detail }, 'configuration cache ignored');
    return undefined;
  }
}
