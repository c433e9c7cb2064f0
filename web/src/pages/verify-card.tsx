import type { VerifyJob, VerifyJobList } from '../api/responses.ts';
import type { ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

const keyText = (key: VerifyJob['pipelines'][number]['tables'][number]['samples']['missing'][number]): string =>
  key.map((part) => (part !== null && typeof part === 'object' ? `0x${part.hex}` : String(part))).join(', ');

const STATE_TEXT: Record<VerifyJob['state'], string> = { queued: 'queued', running: 'running', done: 'done', failed: 'failed' };

/** A count of rows that differ: error-coloured when there are any. */
function Differences({ value, label }: { value: number; label: string }) {
  return <td data-label={label} class={value > 0 ? 'num difference' : 'num'}>{value.toLocaleString('en')}</td>;
}

/** The latest verify job of a channel, per pipeline and table, and the button that starts one. */
export function VerifyCard({ channel, confirm }: { channel: string; confirm: (request: ConfirmRequest) => void }) {
  const { api, may } = useSession();
  const jobs = usePoll(() => api.get<VerifyJobList>('/api/v1/channels/{name}/verify', {}, { name: channel }), channel);
  const allowed = may('channel.run');
  const latest = jobs.data?.jobs[0];
  const differences = latest?.pipelines.reduce((sum, p) => sum + p.tables.reduce((n, t) => n + t.missing + t.extra + t.different, 0), 0) ?? 0;
  return (
    <article class="card" aria-labelledby="verify-title">
      <header class="card-head">
        <h2 id="verify-title">Verify</h2>
        {latest && (
          <span class="small">
            <span class={`verify-state verify-${latest.state}`}>{STATE_TEXT[latest.state]}</span>
            {' '}<span class="muted">{latest.id}, asked by {latest.requestedBy} {formatAge(latest.requestedAt)}{latest.finishedAt ? `, ended ${formatAge(latest.finishedAt)}` : ''}: {latest.reason}</span>
          </span>
        )}
        <div class="actions">
          <button
            type="button"
            disabled={!allowed || latest?.state === 'queued' || latest?.state === 'running'}
            title={allowed ? undefined : 'Your role may not run channels'}
            onClick={() => confirm({
              title: `Verify channel ${channel}?`,
              body: <p>Each pipeline's tables are compared between source and target by chunk checksums computed on each server, without stopping replication; rows that differ are counted and named. Nothing is changed.</p>,
              confirmLabel: 'Verify channel',
              run: async (reason) => {
                await api.post('/api/v1/channels/{name}/verify', { name: channel }, { reason });
                jobs.refresh();
              },
            })}
          >
            Verify
          </button>
        </div>
      </header>
      <ErrorNote error={jobs.error} />
      {jobs.data && latest === undefined && <p class="muted">Never verified: Verify compares every table of the channel's pipelines.</p>}
      {latest && (
        <>
          {latest.state === 'done' && <p class={differences > 0 ? 'difference' : 'muted'}>{differences > 0 ? `${differences.toLocaleString('en')} rows differ between source and target.` : 'Source and target are identical.'}</p>}
          <div class="table-wrap">
            <table class="stack">
              <caption class="visually-hidden">Latest verify of channel {channel}, per table</caption>
              <thead>
                <tr><th scope="col">Pipeline</th><th scope="col">Table → target</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Missing</th><th scope="col" class="num">Extra</th><th scope="col" class="num">Different</th><th scope="col">Keys (first few)</th></tr>
              </thead>
              <tbody>
                {latest.pipelines.map((p) => (p.tables.length === 0 ? (
                  <tr key={p.pipeline}>
                    <th scope="row">{p.pipeline}</th>
                    <td colSpan={6}>{p.error ? <span class="error-text"><strong>{p.error.code}</strong> {p.error.message}</span> : <span class="muted">{p.state}{p.node ? ` on ${p.node}` : ''}</span>}</td>
                  </tr>
                ) : p.tables.map((t) => (
                  <tr key={`${p.pipeline}/${t.table}`}>
                    <th scope="row">{p.pipeline}</th>
                    <td data-label="Table → target">{t.table}{t.target !== t.table && <span class="muted"> → {t.target}</span>}</td>
                    <td data-label="Rows" class="num">{t.rows.toLocaleString('en')}</td>
                    <Differences value={t.missing} label="Missing" />
                    <Differences value={t.extra} label="Extra" />
                    <Differences value={t.different} label="Different" />
                    <td data-label="Keys" class="small">
                      {t.samples.missing.length > 0 && <div>missing: {t.samples.missing.map(keyText).join('; ')}</div>}
                      {t.samples.extra.length > 0 && <div>extra: {t.samples.extra.map(keyText).join('; ')}</div>}
                      {t.samples.different.length > 0 && <div>different: {t.samples.different.map(keyText).join('; ')}</div>}
                      {t.missing + t.extra + t.different === 0 && <span class="muted">identical</span>}
                    </td>
                  </tr>
                ))))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </article>
  );
}
