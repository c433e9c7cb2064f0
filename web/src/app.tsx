import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi } from './api/client.ts';
import type { ClusterView, WhoAmI } from './api/responses.ts';
import { Nav, PAGES } from './components/nav.tsx';
import { UnreachableBanner } from './components/unreachable-banner.tsx';
import { AlarmsPage } from './pages/alarms.tsx';
import { ChannelPage } from './pages/channel-page.tsx';
import { ConfigurationPage } from './pages/configuration.tsx';
import { ChannelsPage } from './pages/channels.tsx';
import { DataSourcesPage } from './pages/datasources.tsx';
import { EventsPage } from './pages/events.tsx';
import { NodesPage } from './pages/nodes.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { usePoll } from './live.ts';
import { forgetToken, rememberManagers, savedToken, saveToken } from './session.ts';
import { SessionContext, type Session } from './session-context.ts';

const PAGE_OF: Record<string, () => preact.JSX.Element> = {
  '/channels': ChannelsPage,
  '/nodes': NodesPage,
  '/datasources': DataSourcesPage,
  '/events': EventsPage,
  '/alarms': AlarmsPage,
  '/configuration': ConfigurationPage,
};

/** `/channels/<name>`: one channel's page. */
function channelOf(path: string): string | undefined {
  const match = /^\/channels\/([^/]+)$/.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/** Client-side routes: the managers answer every path outside /api/v1 with this page. */
function usePath(): [string, (path: string) => void] {
  const normal = (path: string) => (PAGE_OF[path] || channelOf(path) !== undefined ? path : '/channels');
  const [path, setPath] = useState(normal(location.pathname));
  useEffect(() => {
    const onPop = () => setPath(normal(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string) => {
    history.pushState(null, '', next);
    setPath(normal(next));
  };
  return [path, go];
}

function SignedIn({ token, who, signOut }: { token: string; who: WhoAmI; signOut: () => void }) {
  const [path, go] = usePath();
  const session = useMemo<Session>(() => ({ api: createApi(token), who, may: (action) => who.actions.includes(action) }), [token, who]);
  // The managers this page can fail over to, kept current while the page is open.
  const cluster = usePoll(() => session.api.get<ClusterView>('/api/v1/cluster'));
  useEffect(() => {
    if (cluster.data) rememberManagers(cluster.data.managers.map((m) => m.url));
  }, [cluster.data]);
  const channel = channelOf(path);
  const Page = PAGE_OF[path] ?? ChannelsPage;
  const label = channel !== undefined ? `Channel ${channel}` : PAGES.find((p) => p.path === path)?.label ?? 'Channels';
  useEffect(() => {
    document.title = `${label} · Ferry console`;
  }, [label]);

  return (
    <SessionContext.Provider value={session}>
      <Nav current={path} who={who} go={go} signOut={signOut} />
      <UnreachableBanner token={token} />
      <main id="main">{channel !== undefined ? <ChannelPage key={channel} name={channel} /> : <Page />}</main>
    </SessionContext.Provider>
  );
}

/** Signed in (a token in this tab's sessionStorage that the manager accepts) or the sign-in form. */
export function App() {
  const [signedIn, setSignedIn] = useState<{ token: string; who: WhoAmI } | null>(null);
  const [checking, setChecking] = useState(savedToken() !== null);

  // A token kept from before (a reload, or a failover from another manager) is checked again.
  useEffect(() => {
    const token = savedToken();
    if (token === null) return;
    createApi(token).get<WhoAmI>('/api/v1/whoami').then(
      (who) => setSignedIn({ token, who }),
      // A token the manager refuses is dropped; an unreachable manager is no verdict on it.
      (error) => error instanceof ApiError && forgetToken(),
    ).finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="loading">Signing in…</p>;
  if (signedIn === null) {
    return <SignInPage onSignedIn={(token, who) => { saveToken(token); setSignedIn({ token, who }); }} />;
  }
  return <SignedIn token={signedIn.token} who={signedIn.who} signOut={() => { forgetToken(); setSignedIn(null); }} />;
}
