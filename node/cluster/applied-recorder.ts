import { readApplied, writeApplied } from '../../shared/cluster/applied-records.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { RunnerOptions } from '../pipeline/pipeline-runner.ts';
import { positionText } from './stats-record.ts';

/** Between two writes of one pipeline's record: a bound on ZooKeeper writes, and on how stale the position it names may be. */
const WRITE_INTERVAL_MS = 5_000;

interface PipelineState {
  latest?: string;
  written?: string;
  lastWriteAt: number;
  timer?: NodeJS.Timeout;
  writing: Promise<void>;
}

/**
 * The node's side of /applied/<pipeline> (shared/cluster/applied-records.ts): before a claim,
 * whether ZooKeeper knows that the pipeline ran (the target's checkpoint may be gone with its
 * whole system schema, which the target alone cannot tell); after it and as batches commit,
 * the newest position, at most every WRITE_INTERVAL_MS. Without a ZooKeeper session (a node
 * running from its cache) nothing is known or written: the target's fence still guards.
 */
export class AppliedRecorder {
  private readonly states = new Map<string, PipelineState>();
  /** The newest runtime form of each pipeline written for (its epoch goes into the record). */
  private readonly pipelines = new Map<string, RuntimePipeline>();

  constructor(private readonly deps: { nodeId: string; zk: () => ZkClient | undefined; log: Logger }) {}

  optionsFor(pipeline: RuntimePipeline): Required<Pick<RunnerOptions, 'ranBefore' | 'onApplied'>> {
    return {
      ranBefore: async () => {
        const zk = this.deps.zk();
        const record = zk === undefined ? undefined : await readApplied(zk, pipeline.name);
        if (record === undefined) return undefined;
        return { evidence: `ZooKeeper records it applied up to there, at epoch ${record.epoch} on node ${record.node} at ${record.at}`, lastKnown: record.position };
      },
      onApplied: (position) => this.applied(pipeline, position),
    };
  }

  /** Node shutdown, runners stopped: writes what the throttle held back, so the record names the last commit. */
  async close(): Promise<void> {
    for (const [name, state] of this.states) {
      clearTimeout(state.timer);
      state.timer = undefined;
      this.write(this.pipelines.get(name)!, state);
    }
    await Promise.all([...this.states.values()].map((state) => state.writing));
  }

  private applied(pipeline: RuntimePipeline, position: SourcePosition): void {
    const text = positionText(position);
    if (text === null) return;
    this.pipelines.set(pipeline.name, pipeline);
    let state = this.states.get(pipeline.name);
    if (state === undefined) {
      state = { lastWriteAt: -Infinity, writing: Promise.resolve() };
      this.states.set(pipeline.name, state);
    }
    state.latest = text;
    if (state.timer !== undefined) return;
    const wait = state.lastWriteAt + WRITE_INTERVAL_MS - performance.now();
    if (wait <= 0) this.write(pipeline, state);
    else {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.write(pipeline, state);
      }, wait);
      state.timer.unref();
    }
  }

  private write(pipeline: RuntimePipeline, state: PipelineState): void {
    const zk = this.deps.zk();
    const position = state.latest;
    if (zk === undefined || position === undefined || position === state.written) return;
    state.lastWriteAt = performance.now();
    state.writing = state.writing.then(async () => {
      try {
        await writeApplied(zk, pipeline.name, { position, epoch: pipeline.epoch, node: this.deps.nodeId, at: new Date().toISOString() });
        state.written = position;
      } catch (error) {
        // Display and guard data: the next commit tries again.
        this.deps.log.warn({ pipeline: pipeline.name, detail: describeError(error) }, 'applied position not recorded in ZooKeeper');
      }
    });
  }
}
