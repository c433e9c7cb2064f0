import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { expectIdentical, masters, onEach, pipelineFile, rangeWorkload, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'crash';
const TABLES = ['a_only', 'b_only', 'shared'];

describe('bidirectional pipelines: kill -9', () => {
  for (const victim of ['a-to-b', 'b-to-a'] as const) {
    it(`kill -9 of ${victim} under writes on both masters, restarted: both converge identical and come to rest`, async () => {
      const [a, b] = await masters(await scratchMariaDbs(2));
      await onEach([a!, b!], S, TABLES.map((t) => ROWS_TABLE.replace('%s', t)).join('; '));
      const files = {
        'a-to-b': pipelineFile('a-to-b', a!, b!, [`${S}.*`], { bidirectional: { mirror: 'b-to-a', primary: true } }),
        'b-to-a': pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' } }),
      };
      const running = { 'a-to-b': await runPipeline(files['a-to-b']), 'b-to-a': await runPipeline(files['b-to-a']) };
      const load = Promise.all([
        rangeWorkload(a!.connection, `${S}.a_only`, { base: 0, transactions: 200, seed: 11, origin: 'a' }),
        rangeWorkload(b!.connection, `${S}.b_only`, { base: 0, transactions: 200, seed: 12, origin: 'b' }),
        rangeWorkload(await a!.server.connect(), `${S}.shared`, { base: 0, transactions: 200, seed: 13, origin: 'a' }),
        rangeWorkload(await b!.server.connect(), `${S}.shared`, { base: 1000, transactions: 200, seed: 14, origin: 'b' }),
      ]);
      // Killed once it has committed under the load (its checkpoint moved), then restarted.
      const victimTarget = victim === 'a-to-b' ? b! : a!;
      const committed = async (): Promise<number> => {
        const [rows] = await victimTarget.connection.query<RowDataPacket[]>('SELECT MAX(seq) AS seq FROM _ferry.checkpoints WHERE pipeline = ?', [victim]);
        return Number(rows[0]?.seq ?? 0);
      };
      await expect.poll(committed, { timeout: 120_000 }).toBeGreaterThan(3);
      await running[victim].kill('SIGKILL');
      await runPipeline(files[victim]);
      await load;
      for (const table of TABLES) await expectIdentical([a!.connection, b!.connection], S, table);
      await waitForQuietBinlogs([a!.connection, b!.connection]);
      for (const table of TABLES) await expectIdentical([a!.connection, b!.connection], S, table);
    });
  }
});
