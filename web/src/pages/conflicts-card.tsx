import type { ChannelConflicts, ChannelView, ConflictRecord } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge, formatTime } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

type Row = NonNullable<ConflictRecord['incoming']>;
type Value = Row[string];

const valueText = (value: Value | undefined): string => {
  if (value === undefined) return '—';
  if (value === null) return 'NULL';
  if (typeof value === 'object') return `0x${value.hex}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
};

const KIND_TEXT: Record<ConflictRecord['kind'], string> = {
  mismatch: 'row changed on the target',
  missing: 'row missing on the target',
  exists: 'insert met an existing row',
  'unique-key': 'insert met another row under a unique key',
};

const DECISION_TEXT: Record<ConflictRecord['decision'], string> = {
  applied: "source's version written",
  skipped: "target's version kept",
  stopped: 'pipeline stopped',
};

const POLICY_TEXT: Record<NonNullable<ChannelView['bidirectional']>['conflicts'], string> = {
  'primary-wins': "the primary's version wins",
  'newer-wins': 'the later timestamp wins (ties to the primary)',
  stop: 'the pipelines stop for a person to decide',
};

/** A row image as column = value lines; columns whose value differs from the other version stand out. */
function Image({ row, other, label, where }: { row: Row | null; other: Row | null; label: string; where: string }) {
  if (row === null) return <td data-label={label} class="small"><div class="muted">{where}</div><span class="muted">{label === 'Source version' ? 'deleted' : 'no row'}</span></td>;
  return (
    <td data-label={label} class="small image">
      <div class="muted">{where}</div>
      {Object.entries(row).map(([column, value]) => {
        const differs = other !== null && valueText(other[column]) !== valueText(value);
        return <div key={column} class={differs ? 'differs' : undefined}>{column} = {valueText(value)}</div>;
      })}
    </td>
  );
}

/** The channel's bidirectional settings, in words a DBA acts on. */
export function BidirectionalSettings({ channel }: { channel: ChannelView }) {
  const settings = channel.bidirectional;
  if (settings === null) return null;
  const pipelines = channel.pipelines.map((p) => `${p.source} → ${p.target}`).join(' and ');
  return (
    <dl class="stages bidirectional">
      <dt>Bidirectional</dt><dd>{pipelines}: changes flow both ways, neither bounces back</dd>
      <dt>Primary</dt><dd>{settings.primary} <span class="muted">(only its DDL is replicated)</span></dd>
      <dt>Conflicts</dt><dd>{settings.conflicts}: {POLICY_TEXT[settings.conflicts]}{settings.timestampColumn !== undefined && <> by column <code>{settings.timestampColumn}</code></>}</dd>
    </dl>
  );
}

/** The channel's conflicts as its pipelines' nodes last reported them, newest first. */
export function ConflictsCard({ channel, pipelines }: { channel: string; pipelines: ChannelView['pipelines'] }) {
  const { api } = useSession();
  const conflicts = usePoll(() => api.get<ChannelConflicts>('/api/v1/channels/{name}/conflicts', {}, { name: channel }), channel);
  const data = conflicts.data;
  const reported = data?.pipelines.filter((p) => p.total !== null) ?? [];
  const ends = (pipeline: string) => pipelines.find((p) => p.name === pipeline) ?? { source: '?', target: '?' };
  return (
    <article class="card" aria-labelledby="conflicts-title">
      <header class="card-head">
        <h2 id="conflicts-title">Conflicts</h2>
        {data && reported.length > 0 && (
          <span class="small">
            <span class={data.total > 0 ? 'difference' : 'muted'}>{data.total.toLocaleString('en')} recorded</span>
            <span class="muted"> ({reported.map((p) => `${p.pipeline}: ${(p.total ?? 0).toLocaleString('en')}, reported ${formatAge(p.reportedAt)}`).join('; ')})</span>
          </span>
        )}
      </header>
      <ErrorNote error={conflicts.error} />
      {data && reported.length === 0 && <p class="muted">No conflicts reported: detection runs on bidirectional pipelines and those with detectConflicts, and their nodes report once they run.</p>}
      {data && reported.length > 0 && data.conflicts.length === 0 && <p class="muted">None: every change found the row it expected on its target.</p>}
      {data && data.conflicts.length > 0 && (
        <>
          <p class="muted small">The newest {data.conflicts.length}, both directions; the target's conflicts table keeps every one whole (long values end in '…' here).</p>
          <div class="table-wrap">
            <table class="stack conflicts">
              <caption class="visually-hidden">Conflicts of channel {channel}, newest first</caption>
              <thead>
                <tr><th scope="col">When</th><th scope="col">Pipeline</th><th scope="col">Table</th><th scope="col">Key</th><th scope="col">Kind</th><th scope="col">Source version</th><th scope="col">Target version</th><th scope="col">Decision</th></tr>
              </thead>
              <tbody>
                {data.conflicts.map((c, i) => (
                  <tr key={`${c.pipeline}/${c.position}/${i}`}>
                    <td data-label="When" class="small">{formatTime(c.at)}</td>
                    <th scope="row">{c.pipeline}</th>
                    <td data-label="Table">{c.table}</td>
                    <td data-label="Key">{Object.entries(c.key).map(([column, value]) => `${column} = ${valueText(value)}`).join(', ')}</td>
                    <td data-label="Kind">{KIND_TEXT[c.kind]}</td>
                    <Image row={c.incoming} other={c.current} label="Source version" where={`from ${ends(c.pipeline).source}`} />
                    <Image row={c.current} other={c.incoming} label="Target version" where={`on ${ends(c.pipeline).target}`} />
                    <td data-label="Decision"><span class={c.decision === 'stopped' ? 'difference' : undefined}>{DECISION_TEXT[c.decision]}</span> <span class="muted small">({c.policy})</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </article>
  );
}
