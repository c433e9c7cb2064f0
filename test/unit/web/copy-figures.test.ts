import { describe, expect, it } from 'vitest';
import type { CopyProgress } from '../../../web/src/api/responses.ts';
import { copyFigures } from '../../../web/src/pages/copy-figures.ts';

/** The channel page's copy panel in words: what a DBA reads for each phase of a copy. */
const copying: CopyProgress = {
  mode: 'initial', phase: 'copying', table: 'shop.orders', tablesDone: 1, tables: 3, rowsCopied: 12_000, estimatedRows: 40_000,
  percent: 30, rowsPerSecond: 4_000, etaSeconds: 125, startedAt: 1,
};

describe('copy figures', () => {
  it('while copying: the table, tables and rows of the estimate, the percentage and the time left', () => {
    expect(copyFigures(copying)).toEqual({
      title: 'Initial copy',
      phase: 'copying shop.orders',
      tables: '1 of 3 done',
      rows: '12,000 of about 40,000 copied',
      percent: '30.0 %',
      timeLeft: 'about 2 min 5 s',
    });
    expect(copyFigures({ ...copying, percent: null, etaSeconds: null })).toMatchObject({ percent: 'no row estimate', timeLeft: 'not known yet' });
  });

  it('while replaying: the copy window, and a resync says why it copies', () => {
    const replaying = copyFigures({ ...copying, mode: 'resync', phase: 'replaying', table: undefined, tablesDone: 3, percent: 100, etaSeconds: 0 });
    expect(replaying.phase).toMatch(/^replaying the copy window/);
    expect(replaying.title).toBe('Re-copy (resync): the source purged the binlog at the checkpoint');
    expect(replaying.percent).toBe('100.0 %');
  });
});
