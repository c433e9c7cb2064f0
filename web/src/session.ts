/**
 * The signed-in token lives in sessionStorage: it is gone when the tab closes, and never
 * written anywhere else. Moving to another manager (failover) carries it in the URL fragment,
 * which the browser never sends; the new page takes it out of the address at once.
 */
const TOKEN = 'ferry.token';
const MANAGERS = 'ferry.managers';

export function takeTokenFromFragment(): void {
  const match = /^#token=([^&]+)$/.exec(location.hash);
  if (match?.[1] === undefined) return;
  sessionStorage.setItem(TOKEN, decodeURIComponent(match[1]));
  history.replaceState(history.state, '', location.pathname + location.search);
}

export const savedToken = (): string | null => sessionStorage.getItem(TOKEN);
export const saveToken = (token: string): void => sessionStorage.setItem(TOKEN, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN);

/** Base URLs of the managers the cluster view listed last. */
export function knownManagers(): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(MANAGERS) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((url): url is string => typeof url === 'string') : [];
  } catch {
    return [];
  }
}
export const rememberManagers = (urls: string[]): void => sessionStorage.setItem(MANAGERS, JSON.stringify(urls));
