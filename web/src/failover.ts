import { knownManagers } from './session.ts';

/**
 * Failover to another manager of the cluster: managers hold no state, so any of them serves
 * the same console and API. The page cannot call another manager's API (another origin), so it
 * moves there, carrying the token in the fragment. Each candidate is probed first (an opaque
 * no-cors request: it resolves only when something answers), so the page never moves to a
 * manager that is down too.
 */
const PROBE_MS = 3_000;

export async function liveOtherManager(): Promise<string | undefined> {
  for (const url of knownManagers()) {
    if (new URL(url).origin === location.origin) continue;
    try {
      await fetch(`${url}/api/v1/health`, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(PROBE_MS) });
      return url;
    } catch {
      // Down as well: try the next one.
    }
  }
  return undefined;
}

export function moveTo(url: string, token: string): void {
  location.assign(`${new URL(url).origin}${location.pathname}#token=${encodeURIComponent(token)}`);
}
