import type { DataSourceView } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

type Member = 'master' | 'standby';

function Endpoint({ source, member }: { source: DataSourceView; member: Member }) {
  const endpoint = source[member];
  if (endpoint === undefined) return <span class="muted">none</span>;
  // With a standby, say which of the two pipelines use; alone, the master always is.
  const badge = source.standby === undefined ? null : source.active === member ? <span class="badge active">active</span> : <span class="badge idle">standing by</span>;
  return <>{endpoint.host}:{endpoint.port} {badge}</>;
}

/** Data sources by groupKey: master and standby, and which one pipelines use. Read-only for now. */
export function DataSourcesPage() {
  const { api } = useSession();
  const sources = usePoll(() => api.get<DataSourceView[]>('/api/v1/datasources'));

  return (
    <section aria-labelledby="datasources-title">
      <h1 id="datasources-title">Data sources</h1>
      <ErrorNote error={sources.error} />
      {sources.data?.length === 0 && <p class="muted">No data sources yet. Create one with <code>POST /api/v1/datasources</code> (docs/api.md).</p>}
      {sources.data && sources.data.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Data sources by groupKey</caption>
            <thead><tr><th scope="col">groupKey</th><th scope="col">Datacenter</th><th scope="col">Master</th><th scope="col">Standby</th><th scope="col">Active</th><th scope="col">User</th><th scope="col">TLS</th></tr></thead>
            <tbody>
              {sources.data.map((s) => (
                <tr key={s.groupKey}>
                  <th scope="row">{s.groupKey}</th>
                  <td data-label="Datacenter">{s.dc}</td>
                  <td data-label="Master"><Endpoint source={s} member="master" /></td>
                  <td data-label="Standby"><Endpoint source={s} member="standby" /></td>
                  <td data-label="Active">{s.active}</td>
                  <td data-label="User">{s.user}</td>
                  <td data-label="TLS">{s.sslMode ?? (s.sslCa ? 'VERIFY_CA' : 'DISABLED')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
