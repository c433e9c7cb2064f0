import { useState } from 'preact/hooks';
import type { DataSourceView, MemberHealth } from '../api/responses.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { SwitchDialog } from '../components/switch-dialog.tsx';
import { formatAge } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';
import { ConfigHistoryCard } from './config-history-card.tsx';

type Member = 'master' | 'standby';

function replication(health: MemberHealth | undefined): string {
  const replica = health?.replica;
  if (!health?.reachable) return '—';
  // Null without replication configured, or when the node may not read it (its error says why, below).
  if (replica === null || replica === undefined) return health.error ? 'unknown' : 'not a replica';
  const running = replica.ioRunning && replica.sqlRunning ? 'running' : `stopped (IO ${replica.ioRunning ? 'on' : 'off'}, SQL ${replica.sqlRunning ? 'on' : 'off'})`;
  const lag = replica.secondsBehindMaster === null ? '' : `, ${replica.secondsBehindMaster} s behind`;
  return `from ${replica.masterHost ?? '?'}:${replica.masterPort ?? '?'}, ${running}${lag}${replica.lastError ? `: ${replica.lastError}` : ''}`;
}

function MemberRow({ source, member }: { source: DataSourceView; member: Member }) {
  const endpoint = source[member];
  if (endpoint === undefined) return null;
  const health = source.health?.[member] ?? undefined;
  const active = source.active === member;
  const behind = !active && source.health?.behind;
  return (
    <tr>
      <th scope="row">{member} {source.standby && (active ? <span class="badge active">active</span> : <span class="badge idle">standing by</span>)}</th>
      <td data-label="Address">{endpoint.host}:{endpoint.port}</td>
      <td data-label="Reachable">{health === undefined ? <span class="muted">not measured</span> : health.reachable ? 'yes' : <span class="bad-text" title={health.error?.message}>no{health.error ? ` (${health.error.code})` : ''}</span>}</td>
      <td data-label="read_only">{health?.readOnly === null || health?.readOnly === undefined ? '—' : health.readOnly ? 'ON' : 'OFF'}</td>
      <td data-label="Replication">{replication(health)}{health?.reachable && health.error && <div class="muted small">{health.error.message}</div>}</td>
      <td data-label="GTID position"><code>{health?.gtidPosition ?? '—'}</code></td>
      <td data-label="Against the active">{active ? '' : behind ? (behind.transactions === null ? `unknown${behind.unknown ? `: ${behind.unknown}` : ''}` : behind.transactions === 0 ? 'caught up' : `${behind.transactions.toLocaleString('en-US')} behind`) : '—'}</td>
    </tr>
  );
}

/**
 * Data sources by groupKey: each member's health as a node of their datacenter measured it,
 * and the failover button ("Switch to standby" / "Switch to master") for operators.
 */
export function DataSourcesPage() {
  const { api, may } = useSession();
  const sources = usePoll(() => api.get<DataSourceView[]>('/api/v1/datasources'));
  const [switching, setSwitching] = useState<{ source: DataSourceView; to: Member } | undefined>(undefined);
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const [historyOf, setHistoryOf] = useState<string | undefined>(undefined);

  return (
    <section aria-labelledby="datasources-title">
      <h1 id="datasources-title">Data sources</h1>
      <ErrorNote error={sources.error} />
      {sources.data?.length === 0 && <p class="muted">No data sources yet: an admin creates them on the Configuration page.</p>}
      {sources.data?.map((source) => {
        const to: Member = source.active === 'master' ? 'standby' : 'master';
        const health = source.health;
        return (
          <article class="card" key={source.groupKey} aria-labelledby={`ds-${source.groupKey}`}>
            <div class="card-head">
              <h2 id={`ds-${source.groupKey}`}>{source.groupKey}</h2>
              <span class="muted">datacenter {source.dc}, user {source.user}, TLS {source.sslMode ?? (source.sslCa ? 'VERIFY_CA' : 'DISABLED')}</span>
              {source.standby && (
                <div class="actions">
                  <button type="button" disabled={!may('datasource.switch')} onClick={() => setSwitching({ source, to })}>Switch to {to}</button>
                </div>
              )}
            </div>
            <div class="table-wrap">
              <table class="stack">
                <thead><tr><th scope="col">Member</th><th scope="col">Address</th><th scope="col">Reachable</th><th scope="col">read_only</th><th scope="col">Replication</th><th scope="col">GTID position</th><th scope="col">Against the active</th></tr></thead>
                <tbody>
                  <MemberRow source={source} member="master" />
                  <MemberRow source={source} member="standby" />
                </tbody>
              </table>
            </div>
            <p class="muted measured">{health === null ? 'Not measured yet: a node in this datacenter measures every few seconds.' : `Measured by ${health.measuredBy} ${formatAge(health.at)}`}{health?.stale ? <strong class="bad-text"> (stale: no node of {source.dc} has measured it lately)</strong> : null}</p>
            {/* One history open at a time: each open one polls the API. */}
            <button type="button" class="link" aria-expanded={historyOf === source.groupKey} onClick={() => setHistoryOf(historyOf === source.groupKey ? undefined : source.groupKey)}>
              {historyOf === source.groupKey ? 'Hide configuration history' : 'Show configuration history'}
            </button>
            {historyOf === source.groupKey && <ConfigHistoryCard kind="data source" name={source.groupKey} confirm={setConfirming} changed={sources.refresh} />}
          </article>
        );
      })}
      {confirming && <ConfirmDialog request={confirming} onClose={() => setConfirming(null)} />}
      {switching && <SwitchDialog source={switching.source} to={switching.to} onClose={() => setSwitching(undefined)} onSwitched={() => sources.refresh()} />}
    </section>
  );
}
