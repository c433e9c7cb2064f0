import type { PipelineView, StageView } from '../api/responses.ts';
import { formatAge, formatDuration, formatRate } from '../format.ts';
import { copyFigures } from './copy-figures.ts';

/** An online copy in a word or two: the channel page has its figures. */
function copyState(copy: NonNullable<PipelineView['copy']>): string {
  const what = copy.mode === 'resync' ? 're-copying' : 'copying';
  return copy.phase === 'copying' ? `${what}, ${copyFigures(copy).percent}` : 'replaying the copy window';
}

function Stage({ stage }: { stage: StageView }) {
  return <>{stage.node}{stage.dc && <span class="muted"> ({stage.dc})</span>}</>;
}

/** Where a pipeline runs: one node, or the select and load sides of a split pipeline. */
function Placement({ stages }: { stages: PipelineView['stages'] }) {
  if (stages === null) return <span class="muted">not placed</span>;
  if (stages.select.node === stages.load.node) return <Stage stage={stages.load} />;
  return <>select <Stage stage={stages.select} /> → load <Stage stage={stages.load} /></>;
}

export function PipelineTable({ channel, pipelines }: { channel: string; pipelines: PipelineView[] }) {
  return (
    <div class="table-wrap">
      <table class="stack">
        <caption class="visually-hidden">Pipelines of channel {channel}</caption>
        <thead>
          <tr><th scope="col">Pipeline</th><th scope="col">Source → target</th><th scope="col">Node (datacenter)</th><th scope="col">State</th><th scope="col">Position</th><th scope="col" class="num">Lag</th><th scope="col" class="num">Rows/s</th><th scope="col">Error</th></tr>
        </thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.name}>
              <th scope="row">{p.name}</th>
              <td data-label="Source → target">{p.source} → {p.target}</td>
              <td data-label="Node (dc)"><Placement stages={p.stages} /></td>
              <td data-label="State">{p.state ?? <span class="muted">no report</span>}{p.copy && <div class="small">{copyState(p.copy)}</div>}{p.statsAt && <div class="muted small">{formatAge(p.statsAt)}</div>}</td>
              <td data-label="Position" class="position">{p.position ?? '—'}</td>
              <td data-label="Lag" class="num">{formatDuration(p.lagMs)}</td>
              <td data-label="Rows/s" class="num">{formatRate(p.rowsPerSecond)}</td>
              <td data-label="Error">{p.error ? <span class="error-text"><strong>{p.error.code}</strong> {p.error.message}</span> : <span class="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
