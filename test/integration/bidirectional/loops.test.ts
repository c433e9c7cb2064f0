import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { expectIdentical, masters, onEach, pipelineFile, rangeWorkload, ROWS_TABLE, runPipeline, waitForQuietBinlogs, gtidBinlogPos } from './loops-support.ts';

const S = 'bidi';
const TABLES = ['a_only', 'b_only', 'shared'];

describe('bidirectional pipelines: loop prevention', () => {
  it('writes on both masters at once (disjoint tables, different rows of one table) end identical, and then nothing bounces', async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, TABLES.map((t) => ROWS_TABLE.replace('%s', t)).join('; '));
    await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], { bidirectional: { mirror: 'b-to-a', primary: true } }));
    await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' } }));

    await Promise.all([
      rangeWorkload(a!.connection, `${S}.a_only`, { base: 0, transactions: 150, seed: 1, origin: 'a' }),
      rangeWorkload(b!.connection, `${S}.b_only`, { base: 0, transactions: 150, seed: 2, origin: 'b' }),
      rangeWorkload((await a!.server.connect()), `${S}.shared`, { base: 0, transactions: 150, seed: 3, origin: 'a' }),
      rangeWorkload((await b!.server.connect()), `${S}.shared`, { base: 1000, transactions: 150, seed: 4, origin: 'b' }),
    ]);
    for (const table of TABLES) await expectIdentical([a!.connection, b!.connection], S, table);

    // Caught up, the binlogs of both masters come to rest: no checkpoint row, no transaction
    // is answered by the other direction.
    const quiet = await waitForQuietBinlogs([a!.connection, b!.connection]);
    for (const table of TABLES) await expectIdentical([a!.connection, b!.connection], S, table);
    expect([await gtidBinlogPos(a!.connection), await gtidBinlogPos(b!.connection)]).toEqual(quiet);
  });
});
