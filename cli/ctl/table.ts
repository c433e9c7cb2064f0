/** A cell as shown: '-' for what is not known (null, undefined, ''). */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * Rows under upper-case headers in columns aligned by padding, two spaces apart, as kubectl
 * prints them; the last column is not padded, so long messages do not leave trailing blanks.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => headers.map((_, i) => cell(row[i])))];
  const widths = headers.map((_, i) => Math.max(...text.map((row) => [...row[i]!].length)));
  return text.map((row) => row.map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i]! + value.length - [...value].length))).join('  ').trimEnd()).join('\n');
}

/** `key: value` lines, keys aligned. */
export function renderFields(fields: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)} ${cell(value)}`).join('\n');
}

/** Milliseconds as a person reads a lag: 850ms, 4.2s, 3m04s, 2h05m. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Rows per second: whole above 10, one decimal below. */
export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

/** An ISO time to the second, UTC, as `2026-12-07 10:00:03`. */
export function time(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime()) ? iso : parsed.toISOString().slice(0, 19).replace('T', ' ');
}
