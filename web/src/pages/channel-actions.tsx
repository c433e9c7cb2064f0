import type { ChannelView } from '../api/responses.ts';
import type { ConfirmRequest } from '../components/confirm-dialog.tsx';
import { useSession } from '../session-context.ts';

type Action = 'start' | 'pause' | 'stop' | 'rollback' | 'restart';

const PATH = {
  start: '/api/v1/channels/{name}/start',
  pause: '/api/v1/channels/{name}/pause',
  stop: '/api/v1/channels/{name}/stop',
  rollback: '/api/v1/channels/{name}/rollback',
  restart: '/api/v1/channels/{name}/restart',
} as const satisfies Record<Action, string>;

const ACTIONS: { action: Action; label: string; what: string; current?: ChannelView['status'] }[] = [
  { action: 'start', label: 'Start', current: 'START', what: 'Its pipelines are placed on nodes and replicate.' },
  { action: 'pause', label: 'Pause', current: 'PAUSE', what: 'Its pipelines hold where they are; Start resumes them from their checkpoints.' },
  { action: 'stop', label: 'Stop', current: 'STOP', what: 'Its pipelines end and leave their nodes; the checkpoints stay in the targets.' },
  { action: 'rollback', label: 'Rollback', what: 'The permit becomes PAUSE and every node drops its batches in flight (nothing more commits).' },
  { action: 'restart', label: 'Restart', what: 'A rollback, then its pipelines are placed again under new epochs and the permit is START.' },
];

/** The five channel actions; each asks for confirmation and a reason. Disabled without the role. */
export function ChannelActions({ channel, confirm, changed }: { channel: ChannelView; confirm: (request: ConfirmRequest) => void; changed: () => void }) {
  const { api, may } = useSession();
  const allowed = may('channel.run');
  return (
    <div class="actions" role="group" aria-label={`Actions on channel ${channel.name}`}>
      {ACTIONS.map(({ action, label, what, current }) => (
        <button
          key={action}
          type="button"
          disabled={!allowed || channel.status === current}
          title={allowed ? undefined : 'Your role may not run channels'}
          onClick={() => confirm({
            title: `${label} channel ${channel.name}?`,
            body: <p>{what} The channel is {channel.status} now.</p>,
            confirmLabel: `${label} channel`,
            run: async (reason) => {
              await api.post(PATH[action], { name: channel.name }, { reason });
              changed();
            },
          })}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
