import type { ConfigStore, Versioned } from '../../shared/cluster/config-store.ts';
import type { AssignmentRecord, ChannelSpecT, ChannelStatusT, CopyProgressRecord, NodeRecord, PermitRecord, PipeStatsRecord, PipelineStatsRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { readAssignments, readNodes, readPermits, readSelectAssignments, readStats, type Stored } from '../runtime-state.ts';

/** What GET /channels/{name} returns: the spec, the permit, and each pipeline's runtime state. */
export interface ChannelView {
  name: string;
  description: string;
  status: ChannelStatusT;
  /** Who set the status, and when. */
  statusBy: string | null;
  statusAt: string | null;
  version: number;
  /** The channel's bidirectional settings, defaults filled in; null for one-way pipelines. */
  bidirectional: { primary: string; conflicts: 'primary-wins' | 'newer-wins' | 'stop'; timestampColumn?: string } | null;
  pipelines: PipelineView[];
}

export interface PipelineView extends Omit<ChannelSpecT['pipelines'][number], 'name' | 'pipe'> {
  name: string;
  /** From the last stats a node reported (null before the first report). */
  position: string | null;
  lagMs: number | null;
  rowsPerSecond: number | null;
  state: string | null;
  error?: { code: string; message: string };
  statsAt: string | null;
  /** Which node and assignment epoch the statistics come from. */
  reportedBy: { node: string; epoch: number } | null;
  /** From the assignment: the node that runs it and the fencing epoch (null when unassigned). */
  node: string | null;
  epoch: number | null;
  assignment: AssignmentRecord['state'] | null;
  /**
   * Where the select side (Select, Extract) and the load side (Transform, Load) run: two
   * nodes for a split pipeline, the one node twice otherwise (null when unassigned). `dc` is
   * the node's datacenter while it is registered, else null.
   */
  stages: { select: StageView; load: StageView } | null;
  /**
   * The pipe: its settings as configured (`compression`, when set) and, for a split pipeline
   * whose load node reported while its select side was connected, what that node measured
   * (throughput, bytes per row change, compression ratio, round trip, batches in flight);
   * those fields are null otherwise.
   */
  pipe: ChannelPipelineSpec['pipe'] & NullableFields<PipeStatsRecord>;
  /** An online copy under way, as the assigned node last reported it; null outside a copy. */
  copy: CopyProgressRecord | null;
  /**
   * Conflicts recorded in the target for this pipeline (detection on: bidirectional or
   * detectConflicts), as its node last reported; null before a report or without detection.
   * The conflicts themselves: GET /channels/{name}/conflicts.
   */
  conflicts: number | null;
}

type ChannelPipelineSpec = ChannelSpecT['pipelines'][number];
type NullableFields<T> = { [K in keyof T]: T[K] | null };

const NOT_MEASURED: NullableFields<PipeStatsRecord> = { bytesPerSecond: null, wireBytesPerRow: null, compressionRatio: null, rttMs: null, inFlightBatches: null };

export interface StageView {
  node: string;
  dc: string | null;
}

interface RuntimeRecords {
  permits: Map<string, Stored<PermitRecord>>;
  assignments: Map<string, Stored<AssignmentRecord>>;
  /** Select sides of split pipelines. @default none */
  selectAssignments?: Map<string, Stored<SelectAssignmentRecord>>;
  /** Registered nodes, for their datacenters. @default none */
  nodes?: Map<string, Stored<NodeRecord>>;
  stats: Map<string, PipelineStatsRecord>;
}

/** The stages of a pipeline from its records: a select side of its own only when the load record says it is split. */
function stagesOf(assignment: AssignmentRecord | undefined, select: SelectAssignmentRecord | undefined, runtime: RuntimeRecords): PipelineView['stages'] {
  if (!assignment) return null;
  const stage = (node: string): StageView => ({ node, dc: runtime.nodes?.get(node)?.value.dc ?? null });
  const selectNode = assignment.pipe && select ? select.node : assignment.node;
  return { select: stage(selectNode), load: stage(assignment.node) };
}

/** What a node reports while its pipeline is live; after PAUSE or STOP it stops reporting, so such a report is stale. */
const LIVE_STATES: ReadonlySet<string | null> = new Set(['starting', 'running', 'retrying', 'assigned']);

/**
 * A paused or stopped channel's pipelines show 'paused' or 'stopped' where the last report
 * still says they run: the node ends the runner on the permit's change and sends nothing more,
 * so without this the view kept 'running' under a paused channel. A 'failed' report stays.
 */
function haltedState(status: ChannelStatusT | undefined, reported: string | null): string | null {
  if (status === 'PAUSE' && LIVE_STATES.has(reported)) return 'paused';
  if (status === 'STOP' && LIVE_STATES.has(reported)) return 'stopped';
  return reported;
}

export function channelView({ value: channel, version }: Versioned<ChannelSpecT>, runtime: RuntimeRecords): ChannelView {
  const permit = runtime.permits.get(channel.name)?.value;
  return {
    name: channel.name,
    description: channel.description ?? '',
    status: permit?.status ?? 'STOP',
    statusBy: permit?.by ?? null,
    statusAt: permit?.at ?? null,
    version,
    bidirectional: channel.bidirectional === undefined ? null : { ...channel.bidirectional, conflicts: channel.bidirectional.conflicts ?? 'primary-wins' },
    pipelines: channel.pipelines.map((pipeline) => {
      const stats = runtime.stats.get(pipeline.name);
      const assignment = runtime.assignments.get(pipeline.name)?.value;
      // Stats from before the current assignment (the previous node's) still tell where the
      // pipeline is, but not whether it runs: the new node has not reported yet.
      const current = stats !== undefined && assignment !== undefined && stats.epoch >= assignment.epoch && stats.node === assignment.node;
      return {
        ...pipeline,
        position: stats?.position ?? null,
        lagMs: stats?.lagMs ?? null,
        rowsPerSecond: stats?.rowsPerSecond ?? null,
        state: haltedState(permit?.status, current ? stats.state : assignment ? 'assigned' : (stats?.state ?? null)),
        reportedBy: stats ? { node: stats.node, epoch: stats.epoch } : null,
        ...(stats?.error ? { error: stats.error } : {}),
        statsAt: stats?.at ?? null,
        node: assignment?.node ?? null,
        epoch: assignment?.epoch ?? null,
        assignment: assignment?.state ?? null,
        stages: stagesOf(assignment, runtime.selectAssignments?.get(pipeline.name)?.value, runtime),
        pipe: { ...pipeline.pipe, ...(current && stats.pipe !== undefined ? stats.pipe : NOT_MEASURED) },
        // Only from the current assignment's node: a previous node's copy may have ended since.
        copy: current && stats.copy !== undefined ? stats.copy : null,
        // A previous node's count still holds: it was read from the target's table.
        conflicts: stats?.conflicts?.total ?? null,
      };
    }),
  };
}

/** Views of every channel, or of the one named (404 when it does not exist). */
export async function readChannelViews(zk: ZkClient, store: ConfigStore, only?: string): Promise<ChannelView[]> {
  const snapshot = await store.read();
  if (only !== undefined && !snapshot.channels[only]) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name: only });
  const channels = Object.values(snapshot.channels).filter(({ value }) => only === undefined || value.name === only);
  const [permits, assignments, selectAssignments, nodes, stats] = await Promise.all([
    readPermits(zk),
    readAssignments(zk),
    readSelectAssignments(zk),
    readNodes(zk),
    readStats(zk, channels.flatMap(({ value }) => value.pipelines.map((p) => p.name))),
  ]);
  return channels.map((channel) => channelView(channel, { permits, assignments, selectAssignments, nodes, stats })).sort((a, b) => a.name.localeCompare(b.name));
}
