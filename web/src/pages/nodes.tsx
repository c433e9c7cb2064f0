import type { ChannelView, ClusterView } from '../api/responses.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { formatAge } from '../format.ts';
import { usePoll } from '../live.ts';
import { useSession } from '../session-context.ts';

type Node = ClusterView['nodes'][number];

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
