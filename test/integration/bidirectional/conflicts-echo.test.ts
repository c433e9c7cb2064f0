import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { expectIdentical, gtidBinlogPos, masters, onEach, pipelineFile, rangeWorkload, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'echo';

/**
 * docs/bidirectional.md, 3, "Echoes": inserts, updates and deletes of the same 30 keys on both
 * masters at once. Without echoes a delete on the primary followed by the other side's insert
 * reaching it (or an update the primary made and undid) left the masters different.
 */
describe('bidirectional channel: inserts, updates and deletes of the same hot keys on both masters', () => {
  it('primary-wins with echoes: both masters end byte-identical, binlogs at rest', async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, ROWS_TABLE.replace('%s', 'items'));
    const channel = (mirror: string, primary: boolean) => ({ extra: { bidirectional: { mirror, primary, conflicts: 'primary-wins' } } });
    await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], channel('b-to-a', true)));
    await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], channel('a-to-b', false)));

    const [wa, wb] = [await a!.server.connect(), await b!.server.connect()];
    await Promise.all([
      rangeWorkload(wa, `${S}.items`, { base: 1, keySpace: 30, transactions: 300, seed: 21, origin: 'a' }),
      rangeWorkload(wb, `${S}.items`, { base: 1, keySpace: 30, transactions: 300, seed: 22, origin: 'b' }),
    ]);

    await waitForQuietBinlogs([a!.connection, b!.connection]);
    await expectIdentical([a!.connection, b!.connection], S, 'items');
    // Still at rest after the comparison: no echo bounces.
    const rest = await Promise.all([gtidBinlogPos(a!.connection), gtidBinlogPos(b!.connection)]);
    expect(await waitForQuietBinlogs([a!.connection, b!.connection])).toEqual(rest);
  });
});
