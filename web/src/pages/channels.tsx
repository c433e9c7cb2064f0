import { useState } from 'preact/hooks';
import type { ChannelView } from '../api/responses.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { formatAge } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';
import { ChannelActions } from './channel-actions.tsx';
import { PipelineTable } from './pipeline-table.tsx';

/** Every channel: its permit, who set it, its actions, and per pipeline where and how it runs. */
export function ChannelsPage() {
  const { api, may, who } = useSession();
  const channels = usePoll(() => api.get<ChannelView[]>('/api/v1/channels'));
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);

  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">Channels</h1>
      {!may('channel.run') && <p class="muted">Signed in as {who.name}, role {who.role}: you can look, the channel actions are disabled.</p>}
      <ErrorNote error={channels.error} />
      {channels.data?.length === 0 && <p>No channels yet. Create one with <code>POST /api/v1/channels</code> (docs/api.md).</p>}
      {channels.data?.map((channel) => (
        <article class="card" key={channel.name} aria-labelledby={`channel-${channel.name}`}>
          <header class="card-head">
            <h2 id={`channel-${channel.name}`}><a href={`/channels/${encodeURIComponent(channel.name)}`}>{channel.name}</a></h2>
            <StatusBadge status={channel.status} />
            {channel.statusBy && <span class="muted small">set by {channel.statusBy} {formatAge(channel.statusAt)}</span>}
            <ChannelActions channel={channel} confirm={setConfirming} changed={channels.refresh} />
          </header>
          {channel.description && <p class="muted">{channel.description}</p>}
          <PipelineTable channel={channel.name} pipelines={channel.pipelines} />
        </article>
      ))}
      {confirming && <ConfirmDialog request={confirming} onClose={() => setConfirming(null)} />}
    </section>
  );
}
