import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually } from '../manager/manager-support.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { launchBrowser, newPage, screenshot, signIn } from './browser.ts';

/**
 * The web console in Debian's Chromium against real managers, a node, ZooKeeper and MariaDB:
 * what a DBA does with it, checked through the API. Saves the README's screenshots.
 */

const WAIT_MS = 240_000;

interface ChannelBody { status: string; pipelines: { node: string | null }[] }
interface EventBody { type: string; channel?: string; by: string; reason: string }

const channelActions = (page: Page) => page.getByRole('group', { name: 'Actions on channel orders' });

describe('web console', () => {
  it('an admin sees the channel running on its node, pauses it with a reason that lands in the event log, clears an alarm, and the page fails over when its manager dies', async () => {
    const cluster = await testCluster({ managers: 2, nodes: ['n1'] });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 30, seed: 14 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    const [m1, m2] = cluster.managers;
    const browser = await launchBrowser();
    const page = await newPage(browser);

    await page.goto(m1!.url);
    await page.getByLabel('Token').waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, m1!.url, ADMIN_TOKEN);

    // The channel, its permit and the node its pipeline runs on, as the node reports it.
    const card = page.getByRole('article', { name: 'orders' });
    await card.getByText('START', { exact: true }).waitFor();
    await card.getByRole('row', { name: new RegExp(cluster.pipeline) }).getByRole('cell', { name: 'n1 (dc1)' }).waitFor();
    await card.getByRole('cell', { name: /^running/ }).waitFor();
    // The position the node reported once the rows were applied (a GTID set on MariaDB).
    await card.getByRole('cell', { name: /^\d+-\d+-\d+/ }).waitFor();
    await screenshot(page, 'channels');

    await channelActions(page).getByRole('button', { name: 'Pause' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause channel orders?' });
    const reason = dialog.getByLabel('Reason');
    await reason.waitFor();
    // Focus is in the dialog, on the reason; confirming needs one.
    expect(await page.evaluate('document.activeElement.id')).toBe(await reason.getAttribute('id'));
    expect(await dialog.getByRole('button', { name: 'Pause channel' }).isDisabled()).toBe(true);
    await reason.fill('schema change on the target at 14:00');
    await screenshot(page, 'pause-dialog');
    await dialog.getByRole('button', { name: 'Pause channel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The API reports PAUSE and the event log holds who and why; the page shows it without a reload.
    await eventually(async () => ((await cluster.api.get<ChannelBody>('/api/v1/channels/orders')).body.status === 'PAUSE' ? true : undefined), WAIT_MS, 'the channel to be PAUSE');
    const events = (await cluster.api.get<EventBody[]>('/api/v1/events?channel=orders&type=PAUSE')).body;
    expect(events[0]).toMatchObject({ type: 'PAUSE', channel: 'orders', by: 'api:admin', reason: 'schema change on the target at 14:00' });
    await card.getByText('PAUSE', { exact: true }).waitFor();
    expect(await channelActions(page).getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);

    // Escape cancels a dialog, changes nothing, and gives focus back to the button that opened it.
    const stop = channelActions(page).getByRole('button', { name: 'Stop' });
    await stop.click();
    await page.getByRole('dialog', { name: 'Stop channel orders?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Stop');
    expect((await cluster.api.get<ChannelBody>('/api/v1/channels/orders')).body.status).toBe('PAUSE');

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('cell', { name: 'schema change on the target at 14:00' }).waitFor();
    // Live and newest first: an event raised while the page is open comes on top, no reload.
    expect((await cluster.api.post(`/api/v1/channels/orders/warning`, { reason: 'disk of the target at 91%' })).status).toBe(204);
    const newest = page.getByRole('row').nth(1);
    await newest.getByRole('cell', { name: 'disk of the target at 91%' }).waitFor();
    await screenshot(page, 'events');

    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('heading', { name: 'Datacenter dc1' }).waitFor();
    await page.getByRole('row', { name: /^n1 up/ }).waitFor();
    await page.getByRole('cell', { name: 'leader' }).waitFor();
    await screenshot(page, 'nodes');

    // A group with a standby that pipelines use since a switch (no pipeline uses it: nothing connects;
    // no node in dc2 measures it, so the switch is forced).
    const shop = { groupKey: 'shop-eu', dc: 'dc2', master: { host: '10.0.0.5', port: 3306 }, standby: { host: '10.0.0.6', port: 3306 }, user: 'repl', password: 'unused' };
    expect((await cluster.api.post('/api/v1/datasources', shop)).status).toBe(201);
    expect((await cluster.api.post('/api/v1/datasources/shop-eu/switch', { to: 'standby', force: true, reason: 'the screenshot\'s example' })).status).toBe(200);
    await page.getByRole('link', { name: 'Data sources' }).click();
    // src is in dc1, where n1 measures it: reachable, read_only OFF, its GTID position.
    const src = page.getByRole('article', { name: 'src' });
    await src.getByRole('row', { name: /^master/ }).getByRole('cell', { name: 'yes', exact: true }).waitFor();
    await src.getByText(/^Measured by n1/).waitFor();
    const shopCard = page.getByRole('article', { name: 'shop-eu' });
    await shopCard.getByRole('row', { name: /^standby active/ }).getByRole('cell', { name: '10.0.0.6:3306' }).waitFor();
    await shopCard.getByRole('row', { name: /^master standing by/ }).getByRole('cell', { name: '10.0.0.5:3306' }).waitFor();
    await shopCard.getByText(/^Not measured yet/).waitFor();
    await screenshot(page, 'datasources');

    // The warning's alarm, cleared by an operator role (admin here) with a reason.
    await page.getByRole('link', { name: 'Alarms' }).click();
    const alarm = page.getByRole('cell', { name: 'disk of the target at 91%' });
    await alarm.waitFor();
    await screenshot(page, 'alarms');
    // Filtered by channel: another channel's name hides it, its own shows it again.
    const channelFilter = page.getByRole('searchbox', { name: 'Channel' });
    await channelFilter.fill('elsewhere');
    await page.getByText('No active alarm matches these filters.').waitFor();
    await channelFilter.fill('orders');
    await alarm.waitFor();
    await page.getByRole('button', { name: /^Clear alarm/ }).click();
    const clearDialog = page.getByRole('dialog', { name: /^Clear alarm/ });
    await clearDialog.getByLabel('Reason').fill('disk grown to 2 TB');
    await clearDialog.getByRole('button', { name: 'Clear alarm' }).click();
    await page.getByText('No active alarms.').waitFor();
    expect((await cluster.api.get<unknown[]>('/api/v1/alarms')).body).toEqual([]);
    const cleared = (await cluster.api.get<EventBody[]>('/api/v1/events?type=ALARM_CLEARED')).body;
    expect(cleared[0]).toMatchObject({ by: 'api:admin', reason: 'disk grown to 2 TB' });

    // At a phone's width the page still reads (saved for a look, not asserted on pixels).
    await page.getByRole('link', { name: 'Channels' }).click();
    await card.getByText('PAUSE', { exact: true }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'channels-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The manager this page talks to dies: the page moves to the other one, still signed in.
    await m1!.process.kill('SIGKILL');
    await page.waitForURL((url) => url.origin === new URL(m2!.url).origin, { timeout: WAIT_MS });
    await card.getByText('PAUSE', { exact: true }).waitFor();
    expect(new URL(page.url()).hash).toBe('');

    // Started again from the other manager's page: the rows written meanwhile arrive.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: 15 });
    await channelActions(page).getByRole('button', { name: 'Start', exact: true }).click();
    const startDialog = page.getByRole('dialog', { name: 'Start channel orders?' });
    await startDialog.getByLabel('Reason').fill('schema change done');
    await startDialog.getByRole('button', { name: 'Start channel' }).click();
    await card.getByText('START', { exact: true }).waitFor();
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
  });

  it('refuses a wrong token with the API error, a viewer session has every action disabled, and the page says when its manager is unreachable', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [] });
    const created = await cluster.api.post<{ token: string }>('/api/v1/tokens', { name: 'dashboard', role: 'viewer' });
    expect(created.status).toBe(201);
    await cluster.api.post('/api/v1/channels/orders/warning', { reason: 'a warning to see' });
    const browser = await launchBrowser();
    const url = cluster.managers[0]!.url;

    const stranger = await newPage(browser);
    await signIn(stranger, url, 'not-a-token-of-this-cluster');
    await stranger.getByRole('alert').filter({ hasText: 'FERRY_ERR_API_UNAUTHORIZED' }).waitFor();
    expect(await stranger.getByRole('link', { name: 'Channels' }).count()).toBe(0);
    await screenshot(stranger, 'sign-in-refused');

    const viewer = await newPage(browser);
    await signIn(viewer, url, created.body.token);
    await viewer.getByRole('banner').getByText('dashboard').waitFor();
    const buttons = channelActions(viewer).getByRole('button');
    await buttons.first().waitFor();
    expect(await buttons.allTextContents()).toEqual(['Start', 'Pause', 'Stop', 'Rollback', 'Restart']);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
    await viewer.getByRole('link', { name: 'Alarms' }).click();
    const clear = viewer.getByRole('button', { name: /^Clear alarm/ });
    await clear.waitFor();
    expect(await clear.isDisabled()).toBe(true);
    // Every button a viewer sees is disabled, except signing out.
    const enabled: string[] = [];
    for (const button of await viewer.getByRole('button').all()) if (!(await button.isDisabled())) enabled.push((await button.textContent()) ?? '');
    expect(enabled).toEqual(['Sign out']);

    // The only manager dies: the page says so and that no other manager answers.
    await cluster.managers[0]!.process.kill('SIGKILL');
    await viewer.getByRole('alert').filter({ hasText: `The manager at ${new URL(url).host} is unreachable since` }).filter({ hasText: 'No other manager answers either' }).waitFor();
  });

  it('shows a node killed with -9 as vanished on the Nodes page, with its work and when that moves', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1', 'n2'], managerArgs: ['--protection-period', '10m'] });
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const running = await cluster.runningOn();
    const victim = running.node!;
    await cluster.nodes.get(victim)!.kill('SIGKILL');
    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Nodes' }).click();
    const vanished = page.getByRole('article', { name: 'Vanished' });
    const row = vanished.getByRole('row', { name: new RegExp(`^${victim} vanished`) });
    await row.getByRole('cell', { name: cluster.pipeline }).waitFor();
    // However slow the browser was to come up, minutes of the ten remain.
    await row.getByRole('cell', { name: /^moves in \d+ min/ }).waitFor();
    await screenshot(page, 'nodes-vanished');
  });

  it('an admin creates a data source, a channel and a token on the Configuration page, the API\'s problems shown at their fields; a viewer has no such page', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [] });
    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Configuration' }).click();

    await page.getByRole('button', { name: 'New data source' }).click();
    const form = page.getByRole('form', { name: 'New data source' });
    await form.getByLabel('Group key').fill('shop-eu');
    await form.getByLabel('Datacenter').fill('eu1');
    await form.getByLabel('Master host').fill('127.0.0.1');
    await form.getByLabel('Master port').fill('70000');
    await form.getByLabel('User').fill('repl');
    await form.getByLabel('Password', { exact: true }).fill('secret-pw');
    await form.getByRole('button', { name: 'Create data source' }).click();
    // The API refuses the port: its problem is shown at that field, which says it is invalid.
    const port = form.getByLabel('Master port');
    await form.locator('.field-problem').filter({ hasText: '65535' }).waitFor();
    expect(await port.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'configuration-problem');
    await port.fill('3306');
    await form.getByRole('button', { name: 'Create data source' }).click();
    await form.waitFor({ state: 'detached' });
    expect((await cluster.api.get<{ master: { port: number }; dc: string }>('/api/v1/datasources/shop-eu')).body).toMatchObject({ dc: 'eu1', master: { port: 3306 } });

    await page.getByRole('button', { name: 'New channel' }).click();
    const channelForm = page.getByRole('form', { name: 'New channel' });
    await channelForm.getByLabel('Channel name').fill('bad name!');
    await channelForm.getByLabel('Pipeline 1 name').fill('shop-copy');
    await channelForm.getByLabel('Pipeline 1 source').selectOption('shop-eu');
    await channelForm.getByLabel('Pipeline 1 target').selectOption('dst');
    await channelForm.getByLabel('Pipeline 1 tables').fill('shop.*');
    await channelForm.getByRole('button', { name: 'Create channel' }).click();
    const name = channelForm.getByLabel('Channel name');
    await channelForm.locator('.field.invalid').getByLabel('Channel name').waitFor();
    await name.fill('shop');
    await channelForm.getByRole('button', { name: 'Create channel' }).click();
    await channelForm.waitFor({ state: 'detached' });
    expect((await cluster.api.get<{ pipelines: { name: string; source: string; tables: string[] }[] }>('/api/v1/channels/shop')).body.pipelines[0]).toMatchObject({ name: 'shop-copy', source: 'shop-eu', tables: ['shop.*'] });

    const tokens = page.getByRole('form', { name: 'New token' });
    await tokens.getByLabel('Token name').fill('wallboard');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'wallboard' }).locator('code');
    await shown.waitFor();
    const token = (await shown.textContent()) ?? '';
    await screenshot(page, 'configuration');

    // The new viewer token signs in, and sees no Configuration page.
    const viewer = await newPage(browser);
    await signIn(viewer, cluster.managers[0]!.url, token);
    await viewer.getByRole('banner').getByText('wallboard').waitFor();
    expect(await viewer.getByRole('link', { name: 'Configuration' }).count()).toBe(0);
  });

  it('shows a channel\'s page with its stages and live charts of lag and rows/s that survive a reload', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'] });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 15 });
    // The cluster keeps a sample every 5 s of what the node reports: wait for a few.
    await eventually(async () => {
      const history = (await cluster.api.get<{ pipelines: Array<{ at: number[] }> }>('/api/v1/channels/orders/stats/history')).body;
      return (history.pipelines[0]?.at.length ?? 0) >= 3 ? true : undefined;
    }, WAIT_MS, 'three history samples');
    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'orders' }).click();
    await page.getByRole('heading', { name: 'Channel orders' }).waitFor();
    const pipeline = page.getByRole('article', { name: cluster.pipeline });
    await pipeline.getByText('Select, Extract').waitFor();
    await pipeline.getByRole('img', { name: /^Lag over time: now / }).waitFor();
    await pipeline.getByRole('img', { name: /^Rows\/s over time: now / }).waitFor();
    expect(await pipeline.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'channel');
    // The figures come from the cluster, not from this page: a reload shows them at once.
    await page.reload();
    await page.getByRole('article', { name: cluster.pipeline }).getByRole('img', { name: /^Lag over time: now / }).waitFor();
    expect(page.url()).toMatch(/\/channels\/orders$/);
  });

  it('shows an initial copy in progress on the channel page (phase, table, rows of the estimate, a progress bar, rate, time left), gone once the copy is over', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'], batchRows: 50, pipelineFields: { initialCopy: true } });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, `item-${i}`, i % 100, null, '2026-12-07 10:00:00']);
    for (let i = 0; i < rows.length; i += 5000) await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [rows.slice(i, i + 5000)]);
    await pair.source.connection.query(`ANALYZE TABLE \`${pair.schema}\`.items`);
    // Every row written on the target waits 50 ms: the copy lasts minutes, long enough to look at.
    await pair.target.connection.query(`CREATE TRIGGER \`${pair.schema}\`.slow_copy BEFORE INSERT ON \`${pair.schema}\`.items FOR EACH ROW SET @ferry_test_wait = SLEEP(0.05)`);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    // Two chunks in: the node reports a rate.
    await eventually(async () => ((await cluster.pipelineView()).copy?.rowsPerSecond ?? 0) > 0 ? true : undefined, WAIT_MS, 'the copy under way in the API');
    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'orders' }).click();
    const panel = page.getByRole('article', { name: cluster.pipeline }).getByRole('region', { name: 'Online copy' });
    await panel.getByRole('heading', { name: 'Initial copy' }).waitFor();
    await panel.getByText(`copying ${pair.schema}.items`).waitFor();
    await panel.getByText('0 of 1 done').waitFor();
    await panel.getByText(/^[\d,]+ of about [\d,]+ copied$/).waitFor();
    await panel.getByText(/^[\d,]+ rows\/s$/).waitFor();
    await panel.getByText(/^about \d/).waitFor();
    // The pipelines' table says it too, in a word.
    await page.getByRole('cell', { name: /copying, \d+\.\d %/ }).waitFor();
    const bar = panel.getByRole('progressbar', { name: 'Rows copied' });
    expect(Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('value'))).toBeLessThan(100);
    await screenshot(page, 'channel-copy');
    // Full speed again: the copy ends, the panel goes, the tables are identical.
    await pair.target.connection.query(`DROP TRIGGER \`${pair.schema}\`.slow_copy`);
    await panel.waitFor({ state: 'detached', timeout: WAIT_MS });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
  });
});
