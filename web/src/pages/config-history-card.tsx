import type { paths } from '../api/openapi.d.ts';
import type { ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge, formatTime } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

type History = paths['/api/v1/channels/{name}/history']['get']['responses'][200]['content']['application/json'];
type Entry = History['entries'][number];
type DiffItem = Entry['diff'][number];
type Kind = 'channel' | 'data source';

const HISTORY_PATH = { channel: '/api/v1/channels/{name}/history', 'data source': '/api/v1/datasources/{groupKey}/history' } as const;

const value = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? '—');

/** One change as a line a DBA reads: "/pipelines/0/parallel: 4 → 8". */
function diffLine(item: DiffItem): string {
  const path = item.path === '' ? '(all)' : item.path;
  if (item.secret) return `${path}: ${item.op === 'add' ? 'set' : item.op === 'remove' ? 'removed' : 'changed'} (secret, not shown)`;
  if (item.op === 'add') return `${path}: added ${value(item.to)}`;
  if (item.op === 'remove') return `${path}: removed (was ${value(item.from)})`;
  return `${path}: ${value(item.from)} → ${value(item.to)}`;
}

const CHANGE_TEXT: Record<Entry['change'], string> = { create: 'created', update: 'changed', delete: 'deleted' };

/**
 * "Configuration history" of a channel or data source: each version with who, when and the
 * diff lines, newest first, and "Revert to this version" for admins (a confirmation with a
 * reason; the API restores the version as a new one).
 */
export function ConfigHistoryCard({ kind, name, confirm, changed }: { kind: Kind; name: string; confirm: (request: ConfirmRequest) => void; changed: () => void }) {
  const { api, may } = useSession();
  const params: Record<string, string> = kind === 'channel' ? { name } : { groupKey: name };
  const history = usePoll(() => api.get<History>(HISTORY_PATH[kind], { limit: '20' }, params), `${kind}/${name}`);
  const allowed = may('config.write');
  const titleId = `history-${kind === 'channel' ? 'ch' : 'ds'}-${name}`;
  const entries = history.data?.entries ?? [];

  const revert = (entry: Entry) => confirm({
    title: `Revert ${kind} ${name} to version ${entry.version}?`,
    body: (
      <p>
        The {kind}'s configuration becomes what it was at version {entry.version} ({formatTime(entry.at)}, by {entry.by}), as a new version.
        {kind === 'channel' ? ' A running channel (START) refuses it: pause or stop it first.' : ' The active member stays as it is now: a switch is not reverted.'}
      </p>
    ),
    confirmLabel: `Revert to version ${entry.version}`,
    run: async (reason) => {
      const body = { version: entry.version, reason };
      await (kind === 'channel' ? api.post('/api/v1/channels/{name}/revert', { name }, body) : api.post('/api/v1/datasources/{groupKey}/revert', { groupKey: name }, body));
      history.refresh();
      changed();
    },
  });

  return (
    <article class="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Configuration history</h2>
      <ErrorNote error={history.error} />
      {history.data && entries.length === 0 && <p class="muted">No versions kept: changes are recorded from now on.</p>}
      {entries.length > 0 && (
        <div class="table-wrap">
          <table class="stack history">
            <caption class="visually-hidden">Configuration versions of {kind} {name}, newest first</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">When</th><th scope="col">By</th><th scope="col">What changed</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr key={entry.version}>
                  <th scope="row">{entry.version}</th>
                  <td data-label="When"><span title={entry.at}>{formatTime(entry.at)}</span><div class="muted small">{formatAge(entry.at)}</div></td>
                  <td data-label="By">{entry.by}</td>
                  <td data-label="What changed">
                    <div>{`${CHANGE_TEXT[entry.change]}${entry.revertOf === undefined ? '' : `: reverted to version ${entry.revertOf}`}`}{entry.reason && <span class="muted"> ({entry.reason})</span>}</div>
                    {entry.diff.length === 0 ? <div class="muted small">nothing</div> : (
                      <ul class="diff small">{entry.diff.map((item) => <li key={item.path}><code>{diffLine(item)}</code></li>)}</ul>
                    )}
                  </td>
                  <td data-label="Action">
                    {index > 0 && entry.change !== 'delete' && (
                      <button type="button" class="nowrap" disabled={!allowed} title={allowed ? undefined : 'Your role may not change the configuration'} onClick={() => revert(entry)}>
                        Revert to this version
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
