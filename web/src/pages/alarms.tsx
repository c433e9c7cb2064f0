import { useState } from 'preact/hooks';
import type { AlarmRecord } from '../api/responses.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge, formatTime } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

/** Active alarms, newest first, live, filtered by severity and channel; operators clear them (with a reason, like every action). */
export function AlarmsPage() {
  const { api, may } = useSession();
  const alarms = usePoll(() => api.get<AlarmRecord[]>('/api/v1/alarms'));
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const [severity, setSeverity] = useState('');
  const [channel, setChannel] = useState('');
  const shown = (alarm: AlarmRecord) => (severity === '' || alarm.severity === severity) && (channel === '' || alarm.channel.includes(channel));
  const newestFirst = [...(alarms.data ?? [])].filter(shown).sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));

  const clear = (alarm: AlarmRecord) => setConfirming({
    title: `Clear alarm ${alarm.id}?`,
    body: <p>{alarm.message}. A rule alarm whose condition goes on is raised again.</p>,
    confirmLabel: 'Clear alarm',
    run: async (reason) => {
      await api.post('/api/v1/alarms/{id}/clear', { id: alarm.id }, { reason });
      alarms.refresh();
    },
  });

  return (
    <section aria-labelledby="alarms-title">
      <h1 id="alarms-title">Alarms</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>Severity <select value={severity} onChange={(event) => setSeverity(event.currentTarget.value)}>
          <option value="">all</option>
          <option value="critical">critical</option>
          <option value="warning">warning</option>
        </select></label>
        <label>Channel <input type="search" value={channel} placeholder="all" onInput={(event) => setChannel(event.currentTarget.value.trim())} /></label>
      </form>
      <ErrorNote error={alarms.error} />
      {alarms.data?.length === 0 && <p class="muted">No active alarms.</p>}
      {alarms.data !== undefined && alarms.data.length > 0 && newestFirst.length === 0 && <p class="muted">No active alarm matches these filters.</p>}
      {newestFirst.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Active alarms, newest first</caption>
            <thead><tr><th scope="col">Raised</th><th scope="col">Severity</th><th scope="col">Alarm</th><th scope="col">Channel / pipeline</th><th scope="col">Message</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
            <tbody>
              {newestFirst.map((alarm) => (
                <tr key={alarm.id}>
                  <td data-label="Raised" class="nowrap">{formatTime(alarm.raisedAt)}<div class="muted small">{formatAge(alarm.raisedAt)}</div></td>
                  <td data-label="Severity"><span class={`badge severity-${alarm.severity}`}>{alarm.severity}</span></td>
                  <td data-label="Alarm">{alarm.rule}</td>
                  <td data-label="Channel">{alarm.channel}<div class="muted small">{alarm.pipeline}</div></td>
                  <td data-label="Message">{alarm.message}</td>
                  <td><button type="button" disabled={!may('alarm.clear')} aria-label={`Clear alarm ${alarm.id}`} onClick={() => clear(alarm)}>Clear</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirming && <ConfirmDialog request={confirming} onClose={() => setConfirming(null)} />}
    </section>
  );
}
