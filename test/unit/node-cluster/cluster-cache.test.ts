import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_FILE, ClusterCache, cacheContent, desiredPipelines, viewFromCache } from '../../../node/cluster/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { assignment, channel, permit, snapshot, view } from './fixtures.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A logger whose lines land in an array. */
function capturingLogger(): { log: ReturnType<typeof silentLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const twoChannels = view({
  snapshot: snapshot(4, [channel('c1', ['p1']), channel('c2', ['p2'])]),
  assignments: [assignment('p1', 'n1', 3), assignment('p2', 'n2', 1, 'c2')],
  permits: { c1: permit('START'), c2: permit('PAUSE') },
});

describe('ClusterCache', () => {
  it('keeps only what this node runs, and gives back a view that runs the same pipelines', async () => {
    const content = cacheContent(twoChannels, 'n1');
    expect(Object.keys(content.assignments)).toEqual(['p1']);
    expect(Object.keys(content.permits)).toEqual(['c1']);
    const cache = new ClusterCache(join(await tempDir(), 'node-n1'), silentLogger());
    expect(await cache.save(content)).toBe(true);
    const loaded = await new ClusterCache(cache.dir, silentLogger()).load();
    expect(loaded).toMatchObject(content);
    expect(typeof loaded!.savedAt).toBe('string');
    const fromCache = desiredPipelines(viewFromCache(loaded!), 'n1');
    expect([...fromCache.keys()]).toEqual(['p1']);
    expect(fromCache.get('p1')!.fingerprint).toBe(desiredPipelines(twoChannels, 'n1').get('p1')!.fingerprint);
    // Read from the cache, an assignment cannot be acked (no znode version).
    expect(viewFromCache(loaded!).assignments.p1!.version).toBe(-1);
  });

  it('writes atomically, privately, and only when the content changed', async () => {
    const cache = new ClusterCache(join(await tempDir(), 'node-n1'), silentLogger());
    expect(await cache.save(cacheContent(twoChannels, 'n1'))).toBe(true);
    expect(await cache.save(cacheContent(twoChannels, 'n1'))).toBe(false);
    expect((await stat(cache.path)).mode & 0o777).toBe(0o600);
    const paused = { ...twoChannels, permits: { ...twoChannels.permits, c1: permit('PAUSE') } };
    expect(await cache.save(cacheContent(paused, 'n1'))).toBe(true);
    const onDisk = JSON.parse(await readFile(cache.path, 'utf8')) as { permits: Record<string, { status: string }> };
    expect(onDisk.permits.c1!.status).toBe('PAUSE');
  });

  it('ignores a missing file quietly and a corrupt one with FERRY_ERR_NODE_CACHE', async () => {
    const dir = await tempDir();
    const { log, lines } = capturingLogger();
    const cache = new ClusterCache(dir, log);
    expect(await cache.load()).toBeUndefined();
    expect(lines).toEqual([]);
    await writeFile(join(dir, CACHE_FILE), '{"configSnapshot": {"epoch": 1, "dataSo');
    expect(await cache.load()).toBeUndefined();
    await writeFile(join(dir, CACHE_FILE), JSON.stringify({ configSnapshot: { epoch: 1, dataSources: {}, channels: {} }, assignments: { p1: { pipeline: 'p1' } }, permits: {} }));
    expect(await cache.load()).toBeUndefined();
    expect(lines.map((l) => l.code)).toEqual(['FERRY_ERR_NODE_CACHE', 'FERRY_ERR_NODE_CACHE']);
    expect(String(lines[1]!.detail)).toContain('assignments');
  });
});
