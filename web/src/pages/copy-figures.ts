import type { CopyProgress } from '../api/responses.ts';
import { formatDuration } from '../format.ts';

/** An online copy's figures as a DBA reads them (the channel page's copy panel). */
export interface CopyFigures {
  title: string;
  phase: string;
  tables: string;
  rows: string;
  /** '42.1 %', or why there is no percentage. */
  percent: string;
  timeLeft: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

export function copyFigures(copy: CopyProgress): CopyFigures {
  const copying = copy.phase === 'copying';
  return {
    title: copy.mode === 'resync' ? 'Re-copy (resync): the source purged the binlog at the checkpoint' : 'Initial copy',
    phase: copying
      ? `copying ${copy.table ?? 'the first table'}`
      : 'replaying the copy window: every table is copied, the stream catches up with what the source wrote meanwhile',
    tables: `${copy.tablesDone} of ${copy.tables} done`,
    // TABLE_ROWS is InnoDB's estimate: a copy may end above or below it.
    rows: `${count(copy.rowsCopied)} of about ${count(copy.estimatedRows)} copied`,
    percent: copy.percent === null ? 'no row estimate' : `${copy.percent.toFixed(1)} %`,
    timeLeft: !copying ? 'rows copied; the replay ends when the stream reaches the copy\'s end' : copy.etaSeconds === null ? 'not known yet' : `about ${formatDuration(copy.etaSeconds * 1000)}`,
  };
}
