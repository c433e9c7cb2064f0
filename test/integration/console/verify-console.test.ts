import { describe, expect, it } from 'vitest';
import type { VerifyJobView } from '../../../shared/cluster/verify-jobs.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE } from '../../support/workload.ts';
import { ADMIN_TOKEN, eventually } from '../manager/manager-support.ts';
import { launchBrowser, newPage, screenshot, signIn } from './browser.ts';

/**
 * The console's Verify on the channel page, in Chromium against a real manager, node,
 * ZooKeeper and MariaDB: a DBA verifies a channel whose target was damaged and sees which
 * rows differ. Saves docs/console/verify.png.
 */

const WAIT_MS = 240_000;

describe('web console: verify', () => {
  it('an operator verifies a channel with a reason and sees the latest job\'s per-table counts, differences in the error colour', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'] });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();
    const values = Array.from({ length: 120 }, (_, i) => `(${i}, 'row ${i}', ${i}, NULL, '2026-12-01 10:00:00')`);
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ${values.join(', ')}`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    const table = `\`${pair.schema}\`.items`;
    await pair.target.connection.query(`DELETE FROM ${table} WHERE id IN (17, 18)`);
    await pair.target.connection.query(`UPDATE ${table} SET qty = -1 WHERE id = 64`);

    const browser = await launchBrowser();
    const page = await newPage(browser);
    await signIn(page, cluster.managers[0]!.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    const card = page.getByRole('article', { name: 'Verify' });
    await card.getByText(/Never verified/).waitFor();

    await card.getByRole('button', { name: 'Verify' }).click();
    const dialog = page.getByRole('dialog', { name: 'Verify channel orders?' });
    await dialog.getByLabel('Reason').fill('after the target\'s disk was replaced');
    await dialog.getByRole('button', { name: 'Verify channel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The job as the API has it, then the same on the page without a reload.
    const job = await eventually(async () => {
      const { body } = await cluster.api.get<{ jobs: VerifyJobView[] }>('/api/v1/channels/orders/verify');
      const latest = body.jobs[0];
      return latest?.state === 'done' ? latest : undefined;
    }, WAIT_MS, 'the verify job to be done');
    expect(job.reason).toBe('after the target\'s disk was replaced');
    expect(job.pipelines[0]?.tables[0]).toMatchObject({ rows: 120, missing: 2, extra: 0, different: 1 });
    await card.getByText('done', { exact: true }).waitFor();
    const row = card.getByRole('row', { name: new RegExp(`${pair.schema}\\.items`) });
    // The pipeline is the row's header; its cells: table, rows, missing, extra, different, keys.
    const missing = row.getByRole('cell').nth(2);
    await missing.getByText('2', { exact: true }).waitFor();
    expect(await missing.getAttribute('class')).toContain('difference');
    expect(await row.getByRole('cell').nth(3).getAttribute('class')).not.toContain('difference');
    await card.getByText('3 rows differ between source and target.').waitFor();
    await row.getByText('missing: 17; 18').waitFor();
    // A job in progress or done: the button is there again for the next one.
    expect(await card.getByRole('button', { name: 'Verify' }).isDisabled()).toBe(false);
    await screenshot(page, 'verify');
  });
});
