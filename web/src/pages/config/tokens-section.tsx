import { useState } from 'preact/hooks';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field, SelectField } from '../../components/field.tsx';
import { formatTime } from '../../format.ts';
import { usePoll } from '../../live.ts';
import { useSession } from '../../session-context.ts';
import { saveOutcome, type SaveOutcome } from './problems.ts';

interface TokenRecord { name: string; role: string; node?: string; createdAt: string }

const ROLES = ['viewer', 'operator', 'admin', 'node'];

/** API tokens: who may do what. A new token is shown once, here; a deleted one stops working at once. */
export function TokensSection() {
  const { api } = useSession();
  const tokens = usePoll(() => api.get<TokenRecord[]>('/api/v1/tokens'));
  const [form, setForm] = useState({ name: '', role: 'viewer', node: '' });
  const [made, setMade] = useState<{ name: string; token: string } | undefined>(undefined);
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [deleteError, setDeleteError] = useState<unknown>(undefined);

  const create = async (event: Event) => {
    event.preventDefault();
    setOutcome(undefined);
    try {
      const body = { name: form.name.trim(), role: form.role, ...(form.role === 'node' ? { node: form.node.trim() } : {}) };
      const created = (await api.send('POST', '/api/v1/tokens', body)) as { name: string; token: string };
      setMade({ name: created.name, token: created.token });
      setForm({ name: '', role: 'viewer', node: '' });
      tokens.refresh();
    } catch (error) {
      setOutcome(saveOutcome(error, ['/name', '/role', '/node']));
    }
  };
  const remove = async (name: string) => {
    setDeleteError(undefined);
    try {
      await api.send('DELETE', `/api/v1/tokens/${encodeURIComponent(name)}`);
      tokens.refresh();
    } catch (error) {
      setDeleteError(error);
    }
  };

  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens</h2>
      <ErrorNote error={tokens.error ?? deleteError} />
      <div class="table-wrap">
        <table class="stack">
          <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Node</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(tokens.data ?? []).map((token) => (
              <tr key={token.name}>
                <th scope="row">{token.name}</th>
                <td data-label="Role">{token.role}</td>
                <td data-label="Node">{token.node ?? '—'}</td>
                <td data-label="Created">{formatTime(token.createdAt)}</td>
                <td><button type="button" onClick={() => void remove(token.name)} aria-label={`Delete token ${token.name}`}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form aria-label="New token" onSubmit={(event) => void create(event)}>
        <div class="field-grid">
          <Field label="Token name" value={form.name} onInput={(name) => setForm({ ...form, name })} problem={outcome?.byPath.get('/name')} required />
          <SelectField label="Role" value={form.role} options={ROLES} onInput={(role) => setForm({ ...form, role })} problem={outcome?.byPath.get('/role')} />
          {form.role === 'node' && <Field label="Node id" value={form.node} onInput={(node) => setForm({ ...form, node })} problem={outcome?.byPath.get('/node')} hint="The one node (--id) this token reports for." />}
        </div>
        {outcome && (outcome.byPath.size === 0 || outcome.rest.length > 0) && <ErrorNote error={outcome.error} />}
        <div class="form-actions"><button type="submit" class="primary">Create token</button></div>
      </form>
      {made && (
        <div class="token-once" role="status">
          Token <strong>{made.name}</strong>, shown only now: <code>{made.token}</code>
        </div>
      )}
    </section>
  );
}
