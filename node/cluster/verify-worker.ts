import { readTasks, removeTask, writePart, type VerifyPartRecord, type VerifyTableResult, type VerifyTaskRecord } from '../../shared/cluster/verify-jobs.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { DesiredPipeline } from './cluster-view.ts';

export interface VerifyWorkerOptions {
  nodeId: string;
  /** The pipeline as this node holds it (whole or load side), resolved; undefined when it does not. */
  resolve: (pipeline: string) => DesiredPipeline | undefined;
  /** Runs one pipeline's part (node/verify/verify-part.ts with the source this node reaches); `signal` aborts it (the node stops). */
  run: (desired: DesiredPipeline, signal: AbortSignal) => Promise<VerifyTableResult[]>;
  log: Logger;
}

/**
 * Runs the verify tasks the managers put in this node's inbox (verify-inbox/<node>), one at a
 * time, and writes each part's result into its job. A task is removed only once its part's
 * result is written, so a node that lost its session before that runs it again in the next
 * one (its part still says running on this node); a part that moved on (ended, failed by the
 * leader) is dropped.
 */
export class VerifyWorker {
  private zk: ZkClient | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: VerifyWorkerOptions) {}

  sessionStarted(zk: ZkClient): void {
    this.zk = zk;
    this.wake();
  }

  sessionLost(): void {
    this.zk = undefined;
  }

  /**
   * No task starts after this, and the one running is aborted (its connections closed): a
   * node's shutdown does not wait for a verify of large tables. Its part stays running on
   * this node, which the leader fails once the node has left.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    await this.running;
  }

  private wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().catch((error: unknown) => this.options.log.warn({ err: error }, 'verify inbox read failed; trying again at the next change')).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    const zk = this.zk;
    if (zk === undefined) return;
    const inbox = zkPaths.verifyInbox(this.options.nodeId);
    // The first job for this node creates its inbox (a manager does, under the managers' ACL
    // policy); until then its creation is watched. One-shot watches: each change reads again.
    if ((await zk.exists(inbox, () => this.wake())) === null) return;
    await zk.getChildren(inbox, () => this.wake());
    for (const { name, task } of await readTasks(zk, this.options.nodeId)) {
      if (this.closed || this.zk !== zk) return;
      await this.runTask(zk, name, task);
    }
  }

  private async runTask(zk: ZkClient, name: string, task: VerifyTaskRecord): Promise<void> {
    const { nodeId, log } = this.options;
    const path = zkPaths.verifyPart(task.channel, task.job, task.pipeline);
    const stored = await readRecord<VerifyPartRecord>(zk, path);
    const mine = stored !== undefined && (stored.value.state === 'queued' || (stored.value.state === 'running' && stored.value.node === nodeId));
    if (!stored || !mine) {
      await removeTask(zk, nodeId, name);
      return;
    }
    const desired = this.options.resolve(task.pipeline);
    const startedAt = new Date().toISOString();
    const base: VerifyPartRecord = { pipeline: task.pipeline, node: nodeId, state: 'running', startedAt, tables: [] };
    if (desired === undefined || desired.pipeline === undefined) {
      const error = desired?.error ?? new FerryError('FERRY_ERR_VERIFY_NOT_HERE', { node: nodeId, pipeline: task.pipeline });
      await writePart(zk, task.channel, task.job, { ...base, state: 'failed', finishedAt: startedAt, error: { code: error.code, message: error.message } }, stored.version);
      await removeTask(zk, nodeId, name);
      return;
    }
    if (!(await writePart(zk, task.channel, task.job, base, stored.version))) return;
    log.info({ channel: task.channel, job: task.job, pipeline: task.pipeline, side: desired.role.side }, 'verify part started');
    let result: VerifyPartRecord;
    try {
      const tables = await this.options.run(desired, this.stopping.signal);
      if (this.closed) return;
      result = { ...base, state: 'done', finishedAt: new Date().toISOString(), tables };
    } catch (error) {
      if (this.closed) return;
      const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
      log.warn({ channel: task.channel, job: task.job, pipeline: task.pipeline, code: failure.code, err: failure }, 'verify part failed');
      result = { ...base, state: 'failed', finishedAt: new Date().toISOString(), error: { code: failure.code, message: failure.message } };
    }
    // Written at the version it has now: the leader may have failed it meanwhile (then it stays failed).
    const now = await readRecord<VerifyPartRecord>(zk, path);
    if (now?.value.state === 'running' && now.value.node === nodeId) await writePart(zk, task.channel, task.job, result, now.version);
    log.info({ channel: task.channel, job: task.job, pipeline: task.pipeline, state: result.state }, 'verify part ended');
    await removeTask(zk, nodeId, name);
  }
}
