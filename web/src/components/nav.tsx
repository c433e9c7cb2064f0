import type { WhoAmI } from '../api/responses.ts';

export const PAGES = [
  { path: '/channels', label: 'Channels' },
  { path: '/nodes', label: 'Nodes' },
  { path: '/datasources', label: 'Data sources' },
  { path: '/events', label: 'Events' },
  { path: '/alarms', label: 'Alarms' },
  { path: '/configuration', label: 'Configuration', adminOnly: true },
] as const;

/** The page links (real links: they open in a new tab too) and who is signed in. */
export function Nav({ current, who, go, signOut }: { current: string; who: WhoAmI; go: (path: string) => void; signOut: () => void }) {
  return (
    <header class="top">
      <a class="brand" href="/channels" onClick={(event) => { event.preventDefault(); go('/channels'); }}>Ferry</a>
      <nav aria-label="Pages">
        <ul>
          {PAGES.filter((page) => !('adminOnly' in page) || who.actions.includes('config.write')).map(({ path, label }) => (
            <li key={path}>
              <a href={path} aria-current={current === path || current.startsWith(`${path}/`) ? 'page' : undefined} onClick={(event) => { event.preventDefault(); go(path); }}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="who">
        <span>{who.name} <span class="muted">({who.role})</span></span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </div>
    </header>
  );
}
