import { describe, expect, it } from 'vitest';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, ADMIN_TOKEN, channel, dataSource, eventually, testManager } from '../manager/manager-support.ts';
import { launchBrowser, newPage, screenshot, signIn } from './browser.ts';

/**
 * The console's "Configuration history" on the channel page and the data sources page, in
 * Chromium against a real manager and ZooKeeper: a DBA reads who changed what and reverts a
 * channel and a data source, checked through the API. Saves docs/console/config-history.png.
 */

interface Entry { version: number; by: string; change: string; revertOf?: number; reason?: string }
interface ChannelBody { description: string; pipelines: { parallel?: number }[] }

const orders = (parallel: number, description: string) =>
  channel('orders', [], { description, pipelines: [{ name: 'orders-p', source: 'src', target: 'dst', tables: ['shop.*'], parallel }] });

describe('web console: configuration history', () => {
  it('an admin reads the versions of a channel and a data source with their diffs and reverts each with a reason', async () => {
    const manager = await testManager(await zkChroot());
    const api = apiClient(manager.url);
    expect((await api.post('/api/v1/datasources', dataSource('src', 3306))).status).toBe(201);
    expect((await api.post('/api/v1/datasources', dataSource('dst', 3307))).status).toBe(201);
    const alice = (await api.post<{ token: string }>('/api/v1/tokens', { name: 'alice', role: 'admin' })).body.token;
    expect((await api.post('/api/v1/channels', orders(4, 'orders to the warehouse'))).status).toBe(201);
    expect((await apiClient(manager.url, alice).put('/api/v1/channels/orders', orders(8, 'orders to the warehouse, peak hours'))).status).toBe(200);
    expect((await apiClient(manager.url, alice).put('/api/v1/datasources/src', dataSource('src', 3316, { password: 'rotated-pw' }))).status).toBe(200);
    const created = (await api.get<{ entries: Entry[] }>('/api/v1/channels/orders/history')).body.entries.at(-1)!;

    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, manager.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    const card = page.getByRole('article', { name: 'Configuration history' });
    await card.getByText('/pipelines/0/parallel: 4 → 8').waitFor();
    await card.getByText('/description: "orders to the warehouse" → "orders to the warehouse, peak hours"').waitFor();
    await card.getByRole('row').filter({ hasText: 'api:alice' }).waitFor();
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'config-history');
    // At a phone's width the card still reads (saved for a look, not asserted on pixels).
    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'config-history-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    const createdRow = card.getByRole('row').filter({ hasText: 'created' });
    await createdRow.getByRole('button', { name: 'Revert to this version' }).click();
    const dialog = page.getByRole('dialog', { name: `Revert channel orders to version ${created.version}?` });
    await dialog.getByLabel('Reason').fill('peak hours are over');
    await dialog.getByRole('button', { name: `Revert to version ${created.version}` }).click();
    await dialog.waitFor({ state: 'detached' });
    const now = (await api.get<ChannelBody>('/api/v1/channels/orders')).body;
    expect(now.description).toBe('orders to the warehouse');
    expect(now.pipelines[0]!.parallel).toBe(4);
    const newest = (await api.get<{ entries: Entry[] }>('/api/v1/channels/orders/history?limit=1')).body.entries[0]!;
    expect(newest).toMatchObject({ by: 'api:admin', revertOf: created.version, reason: 'peak hours are over' });
    await card.getByText(`changed: reverted to version ${created.version}`).waitFor();

    // The data source: a password change reads as changed, never its value; revert restores the port.
    await page.getByRole('link', { name: 'Data sources' }).click();
    const src = page.getByRole('article', { name: 'src', exact: true });
    await src.getByRole('button', { name: 'Show configuration history' }).click();
    const dsCard = src.getByRole('article', { name: 'Configuration history' });
    await dsCard.getByText('/password: changed (secret, not shown)').waitFor();
    await dsCard.getByText('/master/port: 3306 → 3316').waitFor();
    expect(await page.content()).not.toContain('rotated-pw');
    await dsCard.getByRole('row').filter({ hasText: 'created' }).getByRole('button', { name: 'Revert to this version' }).click();
    const dsDialog = page.getByRole('dialog', { name: /^Revert data source src to version \d+\?$/ });
    await dsDialog.getByLabel('Reason').fill('wrong port');
    await dsDialog.getByRole('button', { name: /^Revert to version \d+$/ }).click();
    await dsDialog.waitFor({ state: 'detached' });
    await eventually(async () => ((await api.get<{ master: { port: number } }>('/api/v1/datasources/src')).body.master.port === 3306 ? true : undefined), 60_000, 'the data source reverted');

    // An operator sees the history but may not revert.
    const operator = (await api.post<{ token: string }>('/api/v1/tokens', { name: 'olga', role: 'operator' })).body.token;
    const other = await newPage(browser);
    await signIn(other, manager.url, operator);
    await other.getByRole('link', { name: 'orders', exact: true }).click();
    const button = other.getByRole('article', { name: 'Configuration history' }).getByRole('button', { name: 'Revert to this version' }).first();
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
  });
});
