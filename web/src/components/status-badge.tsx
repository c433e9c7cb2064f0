import type { ChannelStatus } from '../api/responses.ts';

const LABEL: Record<ChannelStatus, string> = { START: 'START', PAUSE: 'PAUSE', STOP: 'STOP' };

/** The channel's permit; the colour repeats the word, it never replaces it. */
export function StatusBadge({ status }: { status: ChannelStatus }) {
  return <span class={`badge status-${status.toLowerCase()}`}>{LABEL[status]}</span>;
}
