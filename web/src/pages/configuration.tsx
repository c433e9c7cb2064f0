import { useState } from 'preact/hooks';
import type { ChannelView, DataSourceView } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';
import { ChannelForm } from './config/channel-form.tsx';
import { DataSourceForm } from './config/datasource-form.tsx';
import { TokensSection } from './config/tokens-section.tsx';

type Editing = { kind: 'datasource'; item?: DataSourceView } | { kind: 'channel'; item?: ChannelView } | undefined;

/** For admins: data sources and channels created and edited, the API's problems shown at their fields; tokens. */
export function ConfigurationPage() {
  const { api, may } = useSession();
  const config = usePoll(async () => {
    const [dataSources, channels] = await Promise.all([api.get<DataSourceView[]>('/api/v1/datasources'), api.get<ChannelView[]>('/api/v1/channels')]);
    return { dataSources, channels };
  });
  const [editing, setEditing] = useState<Editing>(undefined);
  const done = () => {
    setEditing(undefined);
    config.refresh();
  };

  if (!may('config.write')) return <section><h1>Configuration</h1><p class="muted">Only admins edit the configuration.</p></section>;
  const dataSources = config.data?.dataSources ?? [];
  const channels = config.data?.channels ?? [];
  return (
    <section aria-labelledby="config-title">
      <h1 id="config-title">Configuration</h1>
      <ErrorNote error={config.error} />
      {editing?.kind === 'datasource' && <DataSourceForm key={editing.item?.groupKey ?? 'new'} editing={editing.item} onSaved={done} onCancel={() => setEditing(undefined)} />}
      {editing?.kind === 'channel' && <ChannelForm key={editing.item?.name ?? 'new'} editing={editing.item} groupKeys={dataSources.map((d) => d.groupKey)} onSaved={done} onCancel={() => setEditing(undefined)} />}
      <section class="card" aria-labelledby="config-ds-title">
        <div class="card-head">
          <h2 id="config-ds-title">Data sources</h2>
          <div class="actions"><button type="button" onClick={() => setEditing({ kind: 'datasource' })}>New data source</button></div>
        </div>
        <ul class="plain-list">
          {dataSources.map((d) => (
            <li key={d.groupKey}>
              <strong>{d.groupKey}</strong> <span class="muted">({d.dc}) {d.master.host}:{d.master.port}{d.standby ? `, standby ${d.standby.host}:${d.standby.port}` : ''}</span>
              <button type="button" class="link" aria-label={`Edit data source ${d.groupKey}`} onClick={() => setEditing({ kind: 'datasource', item: d })}>Edit</button>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="config-ch-title">
        <div class="card-head">
          <h2 id="config-ch-title">Channels</h2>
          <div class="actions"><button type="button" onClick={() => setEditing({ kind: 'channel' })}>New channel</button></div>
        </div>
        <ul class="plain-list">
          {channels.map((c) => (
            <li key={c.name}>
              <strong>{c.name}</strong> <span class="muted">{c.status}: {c.pipelines.map((p) => `${p.name} (${p.source} → ${p.target})`).join(', ')}</span>
              <button type="button" class="link" aria-label={`Edit channel ${c.name}`} onClick={() => setEditing({ kind: 'channel', item: c })}>Edit</button>
            </li>
          ))}
        </ul>
      </section>
      <TokensSection />
    </section>
  );
}
