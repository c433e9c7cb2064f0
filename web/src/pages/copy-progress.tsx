import type { CopyProgress } from '../api/responses.ts';
import { formatRate, formatTime } from '../format.ts';
import { copyFigures } from './copy-figures.ts';

/** A pipeline's online copy under way (initialCopy, resync): phase, table, rows, a progress bar, rate, time left. */
export function CopyPanel({ copy }: { copy: CopyProgress }) {
  const figures = copyFigures(copy);
  return (
    <section class="copy" aria-label="Online copy">
      <h3>{figures.title}</h3>
      <div class="copy-bar">
        {/* No value: an indeterminate bar while the source gave no estimate. */}
        <progress max={100} value={copy.percent ?? undefined} aria-label="Rows copied">{figures.percent}</progress>
        <span class="copy-percent">{figures.percent}</span>
      </div>
      <dl class="stages">
        <dt>Phase</dt><dd>{figures.phase}</dd>
        <dt>Tables</dt><dd>{figures.tables}</dd>
        <dt>Rows</dt><dd>{figures.rows}</dd>
        <dt>Rate</dt><dd>{formatRate(copy.rowsPerSecond)}</dd>
        <dt>Time left</dt><dd>{figures.timeLeft}</dd>
        <dt>Started</dt><dd>{formatTime(new Date(copy.startedAt).toISOString())}</dd>
      </dl>
    </section>
  );
}
