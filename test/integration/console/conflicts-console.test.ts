import { describe, expect, it } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { bidirectionalCluster, bothRunning } from '../../support/bidirectional-cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ADMIN_TOKEN, eventually } from '../manager/manager-support.ts';
import { launchBrowser, newPage, screenshot, signIn } from './browser.ts';

/**
 * A bidirectional channel in a real cluster (manager and node processes, two MariaDB masters of
 * the test's own, ZooKeeper): the same row changed on both masters while the channel is
 * paused is a conflict in each direction when it starts again; primary-wins keeps the
 * primary's version on both, the API lists both conflicts, and the console's channel page
 * shows the channel's bidirectional settings and the Conflicts card. Saves
 * docs/console/conflicts.png.
 */

const WAIT_MS = 240_000;

describe('web console: conflicts of a bidirectional channel', () => {
  it('shows the bidirectional settings and both directions\' conflicts, the primary\'s version kept on both masters', async () => {
    const schema = 'shop';
    const cluster = await bidirectionalCluster(schema);
    const { api, pair, back } = cluster;
    expect((await api.get<ChannelView>('/api/v1/channels/orders')).body.bidirectional).toEqual({ primary: 'src', conflicts: 'primary-wins' });

    await pair.onBoth('CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, city VARCHAR(60) NOT NULL)');
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await bothRunning(cluster, WAIT_MS);
    const source = pair.source.connection;
    const target = pair.target.connection;
    await source.query(`INSERT INTO ${schema}.customers VALUES (1, 'Ada Lovelace', 'London'), (2, 'Grace Hopper', 'New York')`);
    await target.query(`INSERT INTO ${schema}.customers VALUES (3, 'Edsger Dijkstra', 'Austin')`);
    await expectTablesConverge(source, target, schema, 'customers', schema, WAIT_MS);

    // The same row changed on both masters while nothing flows.
    expect((await api.post('/api/v1/channels/orders/pause', { reason: 'test: change the same row on both masters' })).status).toBe(200);
    await source.query(`UPDATE ${schema}.customers SET city = 'Paris' WHERE id = 1`);
    await target.query(`UPDATE ${schema}.customers SET city = 'Boston' WHERE id = 1`);
    expect((await api.post('/api/v1/channels/orders/start', { reason: 'test: let both flow' })).status).toBe(200);

    const listed = await eventually(async () => {
      const body = (await api.get<{ total: number; conflicts: ConflictRecord[] }>('/api/v1/channels/orders/conflicts')).body;
      return body.total >= 2 ? body : undefined;
    }, WAIT_MS, 'a conflict in each direction');
    expect(listed.total).toBe(2);
    const byPipeline = Object.fromEntries(listed.conflicts.map((c) => [c.pipeline, c]));
    // The primary's change overwrote the us row; the us change met the primary's row and was skipped.
    expect(byPipeline[schema]).toMatchObject({ table: `${schema}.customers`, key: { id: 1 }, kind: 'mismatch', incoming: { city: 'Paris' }, current: { city: 'Boston' }, policy: 'primary-wins', decision: 'applied' });
    expect(byPipeline[back]).toMatchObject({ key: { id: 1 }, kind: 'mismatch', incoming: { city: 'Boston' }, current: { city: 'Paris' }, policy: 'primary-wins', decision: 'skipped' });
    await expectTablesConverge(source, target, schema, 'customers', schema, WAIT_MS);
    const [rows] = await target.query(`SELECT city FROM ${schema}.customers WHERE id = 1`);
    expect(rows).toEqual([{ city: 'Paris' }]);

    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    await page.getByText('primary-wins: the primary\'s version wins').waitFor();
    const card = page.getByRole('article', { name: 'Conflicts' });
    await card.getByText('2 recorded').waitFor();
    const rowOf = (pipeline: string) => card.getByRole('row').filter({ has: page.getByRole('rowheader', { name: pipeline, exact: true }) });
    const applied = rowOf(schema);
    await applied.getByText("source's version written").waitFor();
    // The column that differs between the two versions stands out.
    expect(await applied.getByText('city = "Paris"').getAttribute('class')).toContain('differs');
    expect(await applied.getByText('name = "Ada Lovelace"').first().getAttribute('class')).toBeNull();
    await rowOf(back).getByText("target's version kept").waitFor();
    await screenshot(page, 'conflicts');
    // At a phone's width the card still reads (saved for a look, not asserted on pixels).
    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'conflicts-phone');
  });
});
