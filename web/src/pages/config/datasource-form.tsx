import { useState } from 'preact/hooks';
import type { DataSourceView } from '../../api/responses.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field } from '../../components/field.tsx';
import { useSession } from '../../session-context.ts';
import { saveOutcome, type SaveOutcome } from './problems.ts';

const SHOWN = ['/groupKey', '/dc', '/master/host', '/master/port', '/standby/host', '/standby/port', '/user', '/password'];

/** A port as typed: a number when it is one, else the text, so that the API names what is wrong. */
const portOf = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);

/**
 * Creates a data source, or replaces one (`editing`): every field as the API takes it, its
 * problems shown at the field. On an edit the password left empty keeps the stored one.
 */
export function DataSourceForm({ editing, onSaved, onCancel }: { editing: DataSourceView | undefined; onSaved: () => void; onCancel: () => void }) {
  const { api } = useSession();
  const [form, setForm] = useState({
    groupKey: editing?.groupKey ?? '', dc: editing?.dc ?? '',
    masterHost: editing?.master.host ?? '', masterPort: editing ? String(editing.master.port) : '3306',
    standbyHost: editing?.standby?.host ?? '', standbyPort: editing?.standby ? String(editing.standby.port) : '',
    user: editing?.user ?? '', password: '',
  });
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (field: keyof typeof form) => (value: string) => setForm({ ...form, [field]: value });
  const problem = (path: string) => outcome?.byPath.get(path);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const standby = form.standbyHost.trim() === '' && form.standbyPort.trim() === '' ? {} : { standby: { host: form.standbyHost.trim(), port: portOf(form.standbyPort) } };
    const body = {
      groupKey: form.groupKey.trim(), dc: form.dc.trim(), master: { host: form.masterHost.trim(), port: portOf(form.masterPort) }, ...standby,
      user: form.user, ...(form.password === '' && editing ? {} : { password: form.password }),
    };
    try {
      if (editing) await api.send('PUT', `/api/v1/datasources/${encodeURIComponent(editing.groupKey)}`, body, editing.version);
      else await api.send('POST', '/api/v1/datasources', { ...body, active: 'master' });
      onSaved();
    } catch (error) {
      setOutcome(saveOutcome(error, SHOWN));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card config-form" aria-label={editing ? `Edit data source ${editing.groupKey}` : 'New data source'} onSubmit={(event) => void save(event)}>
      <h2>{editing ? `Edit data source ${editing.groupKey}` : 'New data source'}</h2>
      <div class="field-grid">
        <Field label="Group key" value={form.groupKey} onInput={set('groupKey')} problem={problem('/groupKey')} disabled={editing !== undefined} hint="The name pipelines use for this database." required />
        <Field label="Datacenter" value={form.dc} onInput={set('dc')} problem={problem('/dc')} required />
        <Field label="Master host" value={form.masterHost} onInput={set('masterHost')} problem={problem('/master/host')} required />
        <Field label="Master port" value={form.masterPort} onInput={set('masterPort')} problem={problem('/master/port')} required />
        <Field label="Standby host" value={form.standbyHost} onInput={set('standbyHost')} problem={problem('/standby/host')} hint="Optional: the server a switch moves to." />
        <Field label="Standby port" value={form.standbyPort} onInput={set('standbyPort')} problem={problem('/standby/port')} />
        <Field label="User" value={form.user} onInput={set('user')} problem={problem('/user')} required />
        <Field label="Password" type="password" value={form.password} onInput={set('password')} problem={problem('/password')} hint={editing ? 'Leave empty to keep the stored one.' : 'Sealed with the cluster key before it is stored.'} />
      </div>
      {outcome && (outcome.byPath.size === 0 || outcome.rest.length > 0) && <ErrorNote error={outcome.error} />}
      <div class="form-actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="submit" class="primary" disabled={busy}>{editing ? 'Save data source' : 'Create data source'}</button>
      </div>
    </form>
  );
}
