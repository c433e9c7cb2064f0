import type { ChannelView, ClusterView } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge, formatDuration } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

type Node = ClusterView['nodes'][number];
type Vanished = ClusterView['vanished'][number];

/** "moves in 1 min 20 s", or that it is moving now; the manager's clock against this browser's: display only. */
function movesIn(node: Vanished, now = Date.now()): string {
  if (node.movesAt === null) return 'waits for it (protection period unknown)';
  const left = Date.parse(node.movesAt) - now;
  return left > 0 ? `moves in ${formatDuration(left).replace(/\.\d/, '')}` : 'moving now';
}

/** Which pipelines each node runs (either side of a split pipeline counts). */
function workByNode(channels: ChannelView[]): Map<string, string[]> {
  const work = new Map<string, string[]>();
  const add = (node: string, what: string) => work.set(node, [...(work.get(node) ?? []), what]);
  for (const channel of channels) {
    for (const p of channel.pipelines) {
      if (p.stages === null) continue;
      if (p.stages.select.node === p.stages.load.node) add(p.stages.load.node, p.name);
      else {
        add(p.stages.select.node, `${p.name} (select)`);
        add(p.stages.load.node, `${p.name} (load)`);
      }
    }
  }
  return work;
}

function byDatacenter(nodes: Node[]): [string, Node[]][] {
  const groups = new Map<string, Node[]>();
  for (const node of nodes) groups.set(node.dc, [...(groups.get(node.dc) ?? []), node]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** Nodes by datacenter with their state and work; the managers and which one leads. */
export function NodesPage() {
  const { api } = useSession();
  const view = usePoll(async () => {
    const [cluster, channels] = await Promise.all([api.get<ClusterView>('/api/v1/cluster'), api.get<ChannelView[]>('/api/v1/channels')]);
    return { cluster, work: workByNode(channels) };
  });
  const cluster = view.data?.cluster;

  return (
    <section aria-labelledby="nodes-title">
      <h1 id="nodes-title">Nodes</h1>
      <ErrorNote error={view.error} />
      {cluster?.nodes.length === 0 && <p class="muted">No node is registered.</p>}
      {cluster && byDatacenter(cluster.nodes).map(([dc, nodes]) => (
        <article class="card" key={dc} aria-labelledby={`dc-${dc}`}>
          <h2 id={`dc-${dc}`}>Datacenter {dc}</h2>
          <div class="table-wrap">
            <table class="stack">
              <thead><tr><th scope="col">Node</th><th scope="col">State</th><th scope="col">Address</th><th scope="col">Runs</th><th scope="col" class="num">Capacity</th><th scope="col">Version</th><th scope="col">Up for</th></tr></thead>
              <tbody>
                {nodes.map((node) => {
                  const runs = view.data?.work.get(node.id) ?? [];
                  return (
                    <tr key={node.id}>
                      <th scope="row">{node.id}</th>
                      <td data-label="State"><span class={`badge node-${node.state}`}>{node.state}</span></td>
                      <td data-label="Address">{node.address}</td>
                      <td data-label="Runs">{runs.length === 0 ? <span class="muted">nothing</span> : runs.join(', ')}</td>
                      <td data-label="Capacity" class="num">{runs.length} / {node.capacity.pipelines}</td>
                      <td data-label="Version">{node.version}</td>
                      <td data-label="Up for">{formatAge(node.startedAt).replace(' ago', '')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </article>
      ))}
      {cluster && cluster.vanished.length > 0 && (
        <article class="card" aria-labelledby="vanished-title">
          <h2 id="vanished-title">Vanished</h2>
          <p class="muted">Gone without leaving: their work waits the protection period for them to come back, then moves to another node of their datacenter.</p>
          <div class="table-wrap">
            <table class="stack">
              <thead><tr><th scope="col">Node</th><th scope="col">Gone since</th><th scope="col">Its work</th><th scope="col">Then</th></tr></thead>
              <tbody>
                {cluster.vanished.map((node) => (
                  <tr key={node.id}>
                    <th scope="row">{node.id} <span class="badge node-vanished">vanished</span></th>
                    <td data-label="Gone since">{node.since === null ? '—' : formatAge(node.since)}</td>
                    <td data-label="Its work">{node.pipelines.join(', ')}</td>
                    <td data-label="Then">{movesIn(node)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      )}
      {cluster && (
        <article class="card" aria-labelledby="managers-title">
          <h2 id="managers-title">Managers</h2>
          <div class="table-wrap">
            <table class="stack">
              <thead><tr><th scope="col">Manager</th><th scope="col">Role</th><th scope="col">API</th><th scope="col">Up for</th></tr></thead>
              <tbody>
                {cluster.managers.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">{m.id}</th>
                    <td data-label="Role">{m.leader ? <span class="badge leader">leader</span> : 'follower'}</td>
                    <td data-label="API">{m.url}{new URL(m.url).origin === location.origin && <span class="muted"> (this page)</span>}</td>
                    <td data-label="Up for">{formatAge(m.startedAt).replace(' ago', '')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      )}
    </section>
  );
}
