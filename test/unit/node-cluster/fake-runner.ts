import type { RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ManagedRunner, RunnerFactory } from '../../../node/cluster/index.ts';
import type { PipelineStatus } from '../../../node/pipeline/progress.ts';

/** An in-memory runner: run() ends when the test says so (or at once on stop, unless held). */
export class FakeRunner implements ManagedRunner {
  stopRequested = false;
  aborted = false;
  /** What status() reports as committed: tests set it to show progress. */
  transactionsApplied = 10;
  private resolveRun!: () => void;
  private rejectRun!: (error: Error) => void;
  private readonly ended = new Promise<void>((resolve, reject) => {
    this.resolveRun = resolve;
    this.rejectRun = reject;
  });

  constructor(
    readonly pipeline: RuntimePipeline,
    /** When true, stop() only records the request; finish() ends the run (a batch in flight). */
    private readonly holdStop = false,
  ) {}

  run(): Promise<void> {
    return this.ended;
  }

  stop(): void {
    this.stopRequested = true;
    if (!this.holdStop) this.resolveRun();
  }

  /** Ends at once, even when holdStop holds a clean stop. */
  abort(): Promise<void> {
    this.aborted = true;
    this.resolveRun();
    return this.ended.then(() => undefined, () => undefined);
  }

  finish(): void {
    this.resolveRun();
  }

  fail(code: 'FERRY_ERR_FENCED' | 'FERRY_ERR_DDL_NOT_ALLOWED' | 'FERRY_ERR_TARGET_WRITE' | 'FERRY_ERR_NODE_SESSION_LOST' = 'FERRY_ERR_DDL_NOT_ALLOWED'): void {
    this.rejectRun(new FerryError(code, { pipeline: this.pipeline.name, position: 'mysql-bin.000001:400', sql: 'ALTER TABLE t ADD c INT', current: 9, mine: 1, detail: 'connection lost', node: 'n1', silentMs: 3000, limitMs: 2666 }));
  }

  status(): PipelineStatus {
    return { state: 'running', position: { file: 'mysql-bin.000001', pos: 400, gtidSet: '0-1-5' }, lagMs: 12, applyDelayMs: 3, rowsPerSecond: 7, rowsApplied: 70, transactionsApplied: this.transactionsApplied };
  }
}

/** A factory that remembers every runner it made, in order. */
export function fakeFactory(options: { holdStop?: boolean } = {}): { factory: RunnerFactory; made: FakeRunner[] } {
  const made: FakeRunner[] = [];
  return {
    made,
    factory: (pipeline) => {
      const runner = new FakeRunner(pipeline, options.holdStop ?? false);
      made.push(runner);
      return runner;
    },
  };
}
