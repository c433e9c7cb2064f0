import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { SESSION_MS, startManagerProcess } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { standbyGroup } from '../../support/standby-group.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { runMixedWorkload } from '../../support/workload.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, eventually } from '../manager/manager-support.ts';
import { launchBrowser, newPage, screenshot, signIn } from './browser.ts';

/**
 * Issue #14, done when: the failover button in a real browser. A source group whose standby
 * replicates natively from its master; a channel reads the master. The dialog first shows a
 * standby that is behind (the switch refused unless "force" is ticked); then the DBA stops
 * writes, lets the standby catch up, promotes it, presses "Switch to standby" and confirms with
 * "Switch". The API reports the standby active, the page shows it without a reload, the event
 * log has who and why, and replication goes on from the new master with the tables identical.
 */

const WAIT_MS = 240_000;

describe('web console: the failover button', () => {
  it('switches a source group to its promoted standby, refusing a standby behind unless forced, and replication goes on from it', async () => {
    const { master, standby, masterDb, standbyDb, target, schema, caughtUp } = await standbyGroup('fo');
    const { users } = inject('services');

    const zk = await zkChroot();
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-failover-node-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    const manager = await startManagerProcess(zk, 'm1');
    const api = apiClient(manager.url);
    const nodeToken = await api.post<{ token: string }>('/api/v1/tokens', { name: 'n1', role: 'node', node: 'n1' });
    const operator = await api.post<{ token: string }>('/api/v1/tokens', { name: 'dba-ann', role: 'operator' });
    const node = startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1'], { FERRY_NODE_TOKEN: nodeToken.body.token });
    await eventually(() => (node.output().includes('registered') ? true : undefined), 60_000, 'the node to register');
    const endpoint = (db: typeof master) => ({ host: db.instance.host, port: db.instance.port });
    expect((await api.post('/api/v1/datasources', { groupKey: 'shop', dc: 'dc1', master: endpoint(master), standby: endpoint(standby), ...users.replication })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: 'dc1', master: { host: target.instance.host, port: target.instance.port }, ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/channels', { name: 'orders', pipelines: [{ name: schema, source: 'shop', target: 'dst', tables: [`${schema}.*`], batch: { maxRows: 50 } }] })).status).toBe(201);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    // A new pipeline starts at the binlog's end: rows written before it runs are not its to copy.
    await eventually(async () => ((await api.get<{ pipelines: Array<{ state: string | null }> }>('/api/v1/channels/orders')).body.pipelines[0]?.state === 'running' ? true : undefined), WAIT_MS, 'the pipeline to run');
    await runMixedWorkload(masterDb, schema, { transactions: 100, seed: 21 });
    await expectTablesConverge(masterDb, target.connection, schema, 'items', schema, WAIT_MS);

    // The standby falls behind: its replication stopped while the master takes 5 more transactions.
    await caughtUp();
    await standbyDb.query('STOP SLAVE');
    for (let i = 0; i < 5; i++) await masterDb.query(`INSERT INTO \`${schema}\`.items VALUES (?, 'late', 1, NULL, NOW(6))`, [100_000 + i]);

    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, manager.url, operator.body.token);
    await page.getByRole('link', { name: 'Data sources' }).click();
    const card = page.getByRole('article', { name: 'shop' });
    await card.getByRole('row', { name: /^standby standing by/ }).getByRole('cell', { name: '5 behind' }).waitFor();
    await card.getByRole('button', { name: 'Switch to standby' }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch shop to its standby?' });
    await dialog.getByText('5 transactions behind the active member').waitFor();
    const confirm = dialog.getByRole('button', { name: 'Switch' });
    await dialog.getByLabel('Reason').fill('practice');
    // Not ready: refused unless forced; ticking "force" would allow it. Cancelled here.
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('force').check();
    expect(await confirm.isDisabled()).toBe(false);
    await screenshot(page, 'switch-dialog-not-ready');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api.get<{ active: string }>('/api/v1/datasources/shop')).body.active).toBe('master');

    // The switchover: the standby catches up (writes have stopped) and is promoted.
    await standbyDb.query('START SLAVE');
    await caughtUp();
    await standbyDb.query('STOP SLAVE');
    await standbyDb.query('SET GLOBAL read_only = OFF');
    await card.getByRole('button', { name: 'Switch to standby' }).click();
    await dialog.getByText('caught up with the active member\'s GTID position').waitFor();
    await dialog.getByLabel('Reason').fill('planned switchover, ticket 4711');
    expect(await dialog.getByLabel('force').count()).toBe(0);
    await screenshot(page, 'switch-dialog');
    await dialog.getByRole('button', { name: 'Switch' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The API and the page (no reload) say the standby is active; the event says who and why.
    await eventually(async () => ((await api.get<{ active: string }>('/api/v1/datasources/shop')).body.active === 'standby' ? true : undefined), WAIT_MS, 'the standby active');
    await card.getByRole('row', { name: /^standby active/ }).waitFor();
    await card.getByRole('button', { name: 'Switch to master' }).waitFor();
    await screenshot(page, 'datasources-switched');
    const events = (await api.get<Array<{ type: string; by: string; reason: string }>>('/api/v1/events?type=DATASOURCE_SWITCH')).body;
    expect(events[0]).toMatchObject({ by: 'api:dba-ann', reason: 'planned switchover, ticket 4711' });

    // The old master goes away; the application writes on the new one; Ferry follows it.
    await master.stop();
    await runMixedWorkload(standbyDb, schema, { transactions: 100, seed: 23 });
    await expectTablesConverge(standbyDb, target.connection, schema, 'items', schema, WAIT_MS);
    expect(node.child.exitCode).toBeNull();
  });
});
