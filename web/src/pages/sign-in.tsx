import { useId, useState } from 'preact/hooks';
import { createApi } from '../api/client.ts';
import type { WhoAmI } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';

/** Sign in with an API token: the manager says who it is (GET /whoami) before anything is shown. */
export function SignInPage({ onSignedIn }: { onSignedIn: (token: string, who: WhoAmI) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const tokenId = useId();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const who = await createApi(token.trim()).get<WhoAmI>('/api/v1/whoami');
      onSignedIn(token.trim(), who);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Ferry console</h1>
        <p class="muted">Sign in with an API token: the manager's <code>--admin-token</code>, or one an admin made with <code>POST /api/v1/tokens</code>. Its role decides what you may do.</p>
        <label for={tokenId}>Token</label>
        <input id={tokenId} type="password" autocomplete="current-password" required value={token} onInput={(event) => setToken(event.currentTarget.value)} autofocus />
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>Sign in</button>
      </form>
    </main>
  );
}
