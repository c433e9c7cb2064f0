import { useState } from 'preact/hooks';
import type { ChannelHistory, ChannelView, PipelineView } from '../api/responses.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { FigureChart } from '../components/figure-chart.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatAge, formatDuration, formatRate } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';
import { ChannelActions } from './channel-actions.tsx';
import { ConfigHistoryCard } from './config-history-card.tsx';
import { BidirectionalSettings, ConflictsCard } from './conflicts-card.tsx';
import { CopyPanel } from './copy-progress.tsx';
import { PipelineTable } from './pipeline-table.tsx';
import { VerifyCard } from './verify-card.tsx';

const bytes = (value: number | null): string => (value === null ? '—' : value >= 1_048_576 ? `${(value / 1_048_576).toFixed(1)} MiB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${Math.round(value)} B`);

/** Where each side runs and, split across datacenters, the pipe between them. */
function Stages({ pipeline }: { pipeline: PipelineView }) {
  const { stages, pipe } = pipeline;
  if (stages === null) return <p class="muted">Not placed on a node.</p>;
  const split = stages.select.node !== stages.load.node;
  return (
    <dl class="stages">
      <dt>Select, Extract</dt><dd>{stages.select.node} <span class="muted">({stages.select.dc ?? 'not registered'})</span></dd>
      <dt>Transform, Load</dt><dd>{stages.load.node} <span class="muted">({stages.load.dc ?? 'not registered'})</span></dd>
      {split && <><dt>Pipe</dt><dd>{pipe.bytesPerSecond === null ? <span class="muted">no figures yet</span> : `${bytes(pipe.bytesPerSecond)}/s, ${pipe.wireBytesPerRow ?? '—'} B per row, compressed ${pipe.compressionRatio ?? '—'}:1 (${pipe.compression ?? 'brotli-1'}), round trip ${formatDuration(pipe.rttMs)}, ${pipe.inFlightBatches ?? 0} batches in flight`}</dd></>}
    </dl>
  );
}

/** One channel: its actions, its pipelines, where their stages run, and lag and rows/s over the last half hour. */
export function ChannelPage({ name }: { name: string }) {
  const { api } = useSession();
  const channel = usePoll(() => api.get<ChannelView>('/api/v1/channels/{name}', {}, { name }), name);
  const history = usePoll(() => api.get<ChannelHistory>('/api/v1/channels/{name}/stats/history', {}, { name }), name);
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const view = channel.data;

  return (
    <section aria-labelledby="channel-title">
      <p class="small"><a href="/channels">All channels</a></p>
      <ErrorNote error={channel.error ?? history.error} />
      {view && (
        <>
          <header class="card-head">
            <h1 id="channel-title">Channel {view.name}</h1>
            <StatusBadge status={view.status} />
            {view.statusBy && <span class="muted small">set by {view.statusBy} {formatAge(view.statusAt)}</span>}
            <ChannelActions channel={view} confirm={setConfirming} changed={channel.refresh} />
          </header>
          {view.description && <p class="muted">{view.description}</p>}
          <BidirectionalSettings channel={view} />
          <div class="card"><PipelineTable channel={view.name} pipelines={view.pipelines} /></div>
          {(view.bidirectional !== null || view.pipelines.some((p) => p.conflicts !== null)) && <ConflictsCard channel={view.name} pipelines={view.pipelines} />}
          <VerifyCard channel={view.name} confirm={setConfirming} />
          {view.pipelines.map((pipeline) => {
            const figures = history.data?.pipelines.find((p) => p.name === pipeline.name);
            return (
              <article class="card" key={pipeline.name} aria-labelledby={`pl-${pipeline.name}`}>
                <h2 id={`pl-${pipeline.name}`}>{pipeline.name}</h2>
                <Stages pipeline={pipeline} />
                {pipeline.copy !== null && <CopyPanel copy={pipeline.copy} />}
                {figures === undefined || figures.at.length === 0 ? <p class="muted">No figures reported yet: a node reports every few seconds while the pipeline runs.</p> : (
                  <div class="charts">
                    <FigureChart title="Lag" unit="ms the target is behind" at={figures.at} values={figures.lagMs} format={formatDuration} />
                    <FigureChart title="Rows/s" unit="row changes applied per second" at={figures.at} values={figures.rowsPerSecond} format={formatRate} />
                  </div>
                )}
              </article>
            );
          })}
          <ConfigHistoryCard kind="channel" name={view.name} confirm={setConfirming} changed={channel.refresh} />
        </>
      )}
      {confirming && <ConfirmDialog request={confirming} onClose={() => setConfirming(null)} />}
    </section>
  );
}
