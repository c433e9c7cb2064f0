import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findFreeBase, isAlive, isPortFree, type ServicesStatus } from '../../../services/index.ts';
import { runFerry } from '../../support/cli.ts';

/** A state folder and a free port range of the test's own, cleaned up whatever happens. */
async function scratchServices(): Promise<{ stateDir: string; args: string[]; zkPort: number; dbPort: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-services-'));
  const base = await findFreeBase([0, 100, 200, 1000]);
  onTestFinished(async () => {
    await runFerry(['services', 'down', '--purge', '--state-dir', stateDir]);
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { stateDir, zkPort: base, dbPort: base + 1000, args: ['--state-dir', stateDir, '--zk-port', String(base), '--mariadb', '1', '--mariadb-port', String(base + 1000)] };
}

describe('bin/ferry services', () => {
  it('up starts servers that answer, down leaves no process and no listening port', async () => {
    const scratch = await scratchServices();
    const up = await runFerry(['services', 'up', ...scratch.args]);
    expect(up.stderr).not.toMatch(/FERRY_ERR/);
    expect(up.code).toBe(0);

    const status = JSON.parse((await runFerry(['services', 'status', '--state-dir', scratch.stateDir])).stdout) as ServicesStatus;
    expect(status.zookeeper.connectString).toBe(`127.0.0.1:${scratch.zkPort}`);
    expect(status.mariadb.map((db) => [db.name, db.port, db.running])).toEqual([['db1', scratch.dbPort, true]]);
    const pids = [...status.zookeeper.servers.map((s) => s.pid), ...status.mariadb.map((db) => db.pid)];
    expect(pids.every((pid) => pid !== null && isAlive(pid))).toBe(true);
    expect(await isPortFree(scratch.zkPort)).toBe(false);
    expect(await isPortFree(scratch.dbPort)).toBe(false);

    const down = await runFerry(['services', 'down', '--state-dir', scratch.stateDir]);
    expect(down.code).toBe(0);
    expect(pids.filter((pid) => pid !== null && isAlive(pid))).toEqual([]);
    expect(await isPortFree(scratch.zkPort)).toBe(true);
    expect(await isPortFree(scratch.dbPort)).toBe(true);
  });

  it('refuses a port in use with one clear line and starts nothing', async () => {
    const scratch = await scratchServices();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(scratch.dbPort, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    const up = await runFerry(['services', 'up', ...scratch.args]);
    expect(up.code).toBe(1);
    expect(up.stderr.trim().split('\n')).toHaveLength(1);
    expect(up.stderr).toContain(`FERRY_ERR_SERVICES_PORT_IN_USE: port ${scratch.dbPort} on 127.0.0.1 is already in use`);
    expect(await isPortFree(scratch.zkPort)).toBe(true);
  });

  it('reports a server that dies at start and stops the ones already started', async () => {
    const scratch = await scratchServices();
    // A data folder whose system schema is a plain file: mariadbd aborts at start.
    mkdirSync(join(scratch.stateDir, 'db1', 'data'), { recursive: true });
    writeFileSync(join(scratch.stateDir, 'db1', 'data', 'mysql'), 'not a directory');

    const up = await runFerry(['services', 'up', ...scratch.args]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/FERRY_ERR_SERVICES_START_FAILED: MariaDB db1 did not start: exited; log .*mariadb\.err/);
    expect(await isPortFree(scratch.zkPort)).toBe(true);
    expect(await isPortFree(scratch.dbPort)).toBe(true);
  });

  it('answers status with a clear error when nothing runs', async () => {
    const scratch = await scratchServices();
    const status = await runFerry(['services', 'status', '--state-dir', scratch.stateDir]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('FERRY_ERR_SERVICES_NOT_UP');
  });
});
