import { useState } from 'preact/hooks';
import type { EventRecord } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge, formatTime } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

const TYPES = ['START', 'PAUSE', 'STOP', 'ROLLBACK', 'RESTART', 'WARNING', 'PLACEMENT', 'NODE_DOWN', 'NODE_UP', 'ALARM_RAISED', 'ALARM_CLEARED', 'DATASOURCE_SWITCH', 'VERIFY_DONE', 'VERIFY_FAILED'];
const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The event log, newest first, live: who raised what and why. */
export function EventsPage() {
  const { api } = useSession();
  const [type, setType] = useState('');
  const [channel, setChannel] = useState('');
  // A half-typed channel name that the API would refuse is not sent.
  const channelFilter = CHANNEL_NAME.test(channel) ? channel : undefined;
  const events = usePoll(() => api.get<EventRecord[]>('/api/v1/events', { limit: '200', type: type || undefined, channel: channelFilter }), `${type}/${channelFilter ?? ''}`);

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>Type <select value={type} onChange={(event) => setType(event.currentTarget.value)}>
          <option value="">all</option>
          {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select></label>
        <label>Channel <input type="search" value={channel} placeholder="all" onInput={(event) => setChannel(event.currentTarget.value.trim())} /></label>
      </form>
      <ErrorNote error={events.error} />
      <div class="table-wrap">
        <table class="stack">
          <caption class="visually-hidden">Events, newest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Channel / pipeline</th><th scope="col">Node</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
          <tbody>
            {events.data?.map((e) => (
              <tr key={e.id}>
                <td data-label="When" class="nowrap">{formatTime(e.at)}<div class="muted small">{formatAge(e.at)}</div></td>
                <td data-label="Type"><span class={`badge event-${e.type.toLowerCase()}`}>{e.type}</span></td>
                <td data-label="Channel">{e.channel ?? '—'}{e.pipeline && <div class="muted small">{e.pipeline}</div>}</td>
                <td data-label="Node">{e.node ?? '—'}</td>
                <td data-label="By">{e.by}</td>
                <td data-label="Reason">{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {events.data?.length === 0 && <p class="muted">No events{type || channelFilter ? ' match these filters' : ' yet'}.</p>}
    </section>
  );
}
