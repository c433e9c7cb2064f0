/** Numbers with their units, as a DBA reads them. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatRate(rowsPerSecond: number | null | undefined): string {
  if (rowsPerSecond === null || rowsPerSecond === undefined) return '—';
  return `${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s`;
}

/** "12 s ago" from a timestamp (another machine's clock: display only). */
export function formatAge(at: string | null | undefined, now = Date.now()): string {
  if (!at) return '';
  const ms = now - Date.parse(at);
  if (!Number.isFinite(ms)) return '';
  if (ms < 1_000) return 'just now';
  return `${formatDuration(Math.max(ms, 0)).replace(/\.\d/, '')} ago`;
}

/** Local date and time to the second: 2026-12-07 10:41:07. */
export function formatTime(at: string | null | undefined): string {
  if (!at) return '—';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
