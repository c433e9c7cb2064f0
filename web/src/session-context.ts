import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client.ts';
import type { WhoAmI } from './api/responses.ts';

/** The signed-in session: the API client with its token, and who the token is. */
export interface Session {
  api: Api;
  who: WhoAmI;
  /** Whether the role may do this API action (the manager's list, from /whoami). */
  may: (action: 'channel.run' | 'alarm.clear' | 'datasource.switch' | 'config.write') => boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in page');
  return session;
}
