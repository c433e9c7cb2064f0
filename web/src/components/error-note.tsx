import { ApiError } from '../api/client.ts';

/** An API error with its code and what to do; anything else with its message. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError) {
    return (
      <div class="error-note" role="alert">
        <strong>{error.code}</strong>: {error.message}
        {error.workaround && <div class="workaround">What to do: {error.workaround}</div>}
      </div>
    );
  }
  return <div class="error-note" role="alert">{error instanceof Error ? error.message : 'Unexpected error'}</div>;
}
