import { useEffect, useId, useState } from 'preact/hooks';
import type { DataSourceView, SwitchReadiness } from '../api/responses.ts';
import { formatAge } from '../format.ts';
import { useSession } from '../session-context.ts';
import { ErrorNote } from './error-note.tsx';
import { useModal } from './use-modal.ts';

type Member = 'master' | 'standby';

function behindText(readiness: SwitchReadiness): string {
  if (readiness.caughtUp) return 'caught up with the active member\'s GTID position';
  const behind = readiness.behind;
  if (behind === null || behind.transactions === null) return `position unknown${behind?.unknown ? ` (${behind.unknown})` : ''}`;
  return `${behind.transactions.toLocaleString('en-US')} transaction${behind.transactions === 1 ? '' : 's'} behind the active member`;
}

/**
 * The failover button's dialog: the member switched to and its readiness as the data
 * source's node last measured it (reachable, caught up or how far behind, read_only), then a
 * reason for the event log and "Switch". A member that is not ready is refused unless "force"
 * is ticked, here and by the API alike.
 */
export function SwitchDialog({ source, to, onClose, onSwitched }: { source: DataSourceView; to: Member; onClose: () => void; onSwitched: () => void }) {
  const { api } = useSession();
  const dialog = useModal();
  const [readiness, setReadiness] = useState<SwitchReadiness | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const titleId = useId();
  const reasonId = useId();
  const forceId = useId();
  const endpoint = source[to];

  useEffect(() => {
    // Measured every few seconds: read again while the dialog is open.
    let stopped = false;
    const load = () => api.get<SwitchReadiness>('/api/v1/datasources/{groupKey}/switch-readiness', { to }, { groupKey: source.groupKey }).then(
      (found) => !stopped && setReadiness(found),
      (failure: unknown) => !stopped && setError(failure),
    );
    void load();
    const timer = window.setInterval(() => void load(), 2_000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [source.groupKey, to]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.send('POST', `/api/v1/datasources/${encodeURIComponent(source.groupKey)}/switch`, { to, reason: reason.trim(), ...(force ? { force: true } : {}) });
      onSwitched();
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const ready = readiness?.ready === true;
  return (
    <dialog ref={dialog} class="confirm switch" aria-labelledby={titleId} onCancel={(event) => { event.preventDefault(); onClose(); }}>
      <form onSubmit={(event) => void submit(event)}>
        <h2 id={titleId}>Switch {source.groupKey} to its {to}?</h2>
        <p>Pipelines reading or writing <strong>{source.groupKey}</strong> move to {to} {endpoint ? <code>{endpoint.host}:{endpoint.port}</code> : null}, resuming from their checkpoints.</p>
        <section aria-label="Readiness" class="readiness">
          {readiness === undefined ? <p class="muted">Reading its readiness…</p> : (
            <ul>
              <li class={readiness.reachable ? 'ok' : 'bad'}>{readiness.reachable === null ? 'Never measured' : readiness.reachable ? 'Reachable' : 'Not reachable'}</li>
              <li class={readiness.caughtUp ? 'ok' : 'bad'}>{behindText(readiness)}</li>
              <li class={readiness.readOnly ? 'warn' : 'ok'}>{readiness.readOnly === null ? 'read_only unknown' : readiness.readOnly ? 'read_only is ON (set it OFF when you promote it)' : 'read_only is OFF'}</li>
              {readiness.at && <li class={readiness.stale ? 'bad' : 'muted'}>Measured by {readiness.measuredBy} {formatAge(readiness.at)}{readiness.stale ? ' (stale)' : ''}</li>}
            </ul>
          )}
          {readiness && readiness.problems.length > 0 && <div class="error-note" role="alert"><strong>Not ready:</strong> {readiness.problems.join(' ')}</div>}
          {readiness && readiness.warnings.length > 0 && <p class="warn-note">{readiness.warnings.join(' ')}</p>}
        </section>
        {readiness && !ready && (
          <div class="force">
            <input id={forceId} type="checkbox" checked={force} onInput={(event) => setForce(event.currentTarget.checked)} />
            <label for={forceId}>force</label>
            <span class="muted"> switch anyway (the active member is lost, or you accept what the standby lacks)</span>
          </div>
        )}
        <label for={reasonId}>Reason</label>
        <textarea id={reasonId} required maxLength={1000} rows={2} value={reason} placeholder="Why, for the event log" onInput={(event) => setReason(event.currentTarget.value)} autofocus />
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || reason.trim() === '' || readiness === undefined || (!ready && !force)}>Switch</button>
        </div>
      </form>
    </dialog>
  );
}
