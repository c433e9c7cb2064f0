import { useState } from 'preact/hooks';
import type { ChannelView } from '../../api/responses.ts';
import { ErrorNote } from '../../components/error-note.tsx';
import { Field, SelectField } from '../../components/field.tsx';
import { useSession } from '../../session-context.ts';
import { pipelineSpecOf } from './pipeline-spec.ts';
import { saveOutcome, type SaveOutcome } from './problems.ts';

interface PipelineFields {
  name: string;
  source: string;
  target: string;
  tables: string;
  /** Rules with objects (renames, column selections): shown, sent back as they are, edited through the API. */
  ruleObjects?: Array<string | Record<string, unknown>>;
}

const blank = (): PipelineFields => ({ name: '', source: '', target: '', tables: '' });
const ruleText = (rule: string | Record<string, unknown>): string => (typeof rule === 'string' ? rule : JSON.stringify(rule));
const shown = (count: number): string[] => ['/name', '/description', ...Array.from({ length: count }, (_, i) => ['name', 'source', 'target', 'tables'].map((f) => `/pipelines/${i}/${f}`)).flat()];

/**
 * Creates a channel of one pipeline (or two, a bidirectional pair), or replaces one that is
 * not running (`editing`; the API refuses while it is START): names, data sources by group
 * key, table rules as a comma-separated list of names and patterns. Fields the form does not
 * show (batch, ddl, ...) keep what the channel had; so do rule objects (renames, column
 * selections), which this form lists nowhere and sends back untouched.
 */
export function ChannelForm({ editing, groupKeys, onSaved, onCancel }: { editing: ChannelView | undefined; groupKeys: readonly string[]; onSaved: () => void; onCancel: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [pipelines, setPipelines] = useState<PipelineFields[]>(editing
    ? editing.pipelines.map((p) => ({
      name: p.name, source: p.source, target: p.target, tables: p.tables.map(ruleText).join(', '),
      ...(p.tables.some((t) => typeof t !== 'string') ? { ruleObjects: p.tables } : {}),
    }))
    : [blank()]);
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const problem = (path: string) => outcome?.byPath.get(path);
  const setPipeline = (i: number, field: keyof PipelineFields) => (value: string) => setPipelines(pipelines.map((p, j) => (j === i ? { ...p, [field]: value } : p)));

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const body = {
      name: name.trim(),
      description,
      pipelines: pipelines.map((fields, i) => ({
        // What the form does not show (batch, ddl, placement, ...) is kept as it was.
        ...(editing?.pipelines[i] ? pipelineSpecOf(editing.pipelines[i] as unknown as Record<string, unknown>) : {}),
        name: fields.name.trim(),
        source: fields.source,
        target: fields.target,
        tables: fields.ruleObjects ?? fields.tables.split(',').map((t) => t.trim()).filter((t) => t !== ''),
      })),
    };
    try {
      if (editing) await api.send('PUT', `/api/v1/channels/${encodeURIComponent(editing.name)}`, body, editing.version);
      else await api.send('POST', '/api/v1/channels', body);
      onSaved();
    } catch (error) {
      setOutcome(saveOutcome(error, shown(pipelines.length)));
    } finally {
      setBusy(false);
    }
  };

  const options = ['', ...groupKeys];
  return (
    <form class="card config-form" aria-label={editing ? `Edit channel ${editing.name}` : 'New channel'} onSubmit={(event) => void save(event)}>
      <h2>{editing ? `Edit channel ${editing.name}` : 'New channel'}</h2>
      <div class="field-grid">
        <Field label="Channel name" value={name} onInput={setName} problem={problem('/name')} disabled={editing !== undefined} required />
        <Field label="Description" value={description} onInput={setDescription} problem={problem('/description')} />
      </div>
      {pipelines.map((p, i) => (
        <fieldset key={i}>
          <legend>Pipeline {i + 1}{i === 1 ? ' (the other direction)' : ''}</legend>
          <div class="field-grid">
            <Field label={`Pipeline ${i + 1} name`} value={p.name} onInput={setPipeline(i, 'name')} problem={problem(`/pipelines/${i}/name`)} required />
            <SelectField label={`Pipeline ${i + 1} source`} value={p.source} options={options} onInput={setPipeline(i, 'source')} problem={problem(`/pipelines/${i}/source`)} />
            <SelectField label={`Pipeline ${i + 1} target`} value={p.target} options={options} onInput={setPipeline(i, 'target')} problem={problem(`/pipelines/${i}/target`)} />
            <Field label={`Pipeline ${i + 1} tables`} value={p.tables} onInput={setPipeline(i, 'tables')} problem={problem(`/pipelines/${i}/tables`)} placeholder="shop.orders, shop.order_*" disabled={p.ruleObjects !== undefined}
              hint={p.ruleObjects ? 'Rules with renames or column selections: edit them through the API (PUT /api/v1/channels/{name}).' : 'Source tables or patterns, comma-separated.'} />
          </div>
        </fieldset>
      ))}
      {pipelines.length === 1 && <button type="button" class="link" onClick={() => setPipelines([...pipelines, blank()])}>Add the other direction</button>}
      {outcome && (outcome.byPath.size === 0 || outcome.rest.length > 0) && <ErrorNote error={outcome.error} />}
      <div class="form-actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="submit" class="primary" disabled={busy}>{editing ? 'Save channel' : 'Create channel'}</button>
      </div>
    </form>
  );
}
