import { BinlogReader } from '../node/select/binlog-reader.ts';
import type { BinlogEndpoint } from '../node/select/binlog-options.ts';
import type { SourceTransaction } from '../shared/model/change.ts';
import { PIPELINE_DEFAULTS } from '../shared/config/pipeline-spec.ts';
import { silentLogger } from '../shared/logging.ts';
import type { WrittenScenario } from './backlogs.ts';
import { CpuSnapshot, PROCESS, SELF, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import { reachedGtid } from './gtid-pos.ts';
import { catchUpResult, totalRowChanges, type CatchUpResult } from './segment-clock.ts';

/** Replica server id of the decode-only reader; distinct from Ferry's and the replicas'. */
const DECODE_SERVER_ID = 4_242_001;
const LIMIT_MS = 600_000;

export interface DecodeLimit extends CatchUpResult {
  rowsDecoded: number;
  /** CPU of the benchmark's own process (zongji decodes there) and of the processes in `cpuOf`. */
  cpu: CpuUse;
}

/**
 * The read side's ceiling: Ferry's own binlog reader (zongji, with the connection options
 * that decide value decoding, and the transaction assembler) reads the backlog's GTID range
 * and only counts rows, applying nothing. Timed from the open stream to the last GTID.
 * `cpuOf` names the other processes to measure (the primary, which serves the binlog); nothing
 * else runs in this process meanwhile, so its own CPU is the reader's.
 */
export async function measureDecodeLimit(endpoint: BinlogEndpoint, scenarios: WrittenScenario[], cpuOf: Record<string, CpuSubject>): Promise<DecodeLimit> {
  let rowsDecoded = 0;
  let next = 0;
  const reachedAt: number[] = [];
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const onTransaction = (transaction: SourceTransaction): void => {
    rowsDecoded += transaction.changes.length;
    while (next < scenarios.length && reachedGtid(transaction.end.gtidSet, scenarios[next]!.toGtid)) {
      reachedAt.push(performance.now());
      next++;
    }
    if (next === scenarios.length) finish();
  };
  // captureReplay off: every row image decoded as it is read, what "decode alone" has always meant (a replaying reader decodes none).
  const reader = new BinlogReader({ endpoint, serverId: DECODE_SERVER_ID, captureReplay: false, start: { file: '', pos: 4, gtidSet: scenarios[0]!.fromGtid }, heartbeatMs: PIPELINE_DEFAULTS.heartbeatMs, silenceMs: PIPELINE_DEFAULTS.sourceSilenceMs, log: silentLogger(), onTransaction, onError: fail });
  const timer = setTimeout(() => fail(new Error(`decode-only reader did not reach the backlog's end within ${LIMIT_MS / 1000} s`)), LIMIT_MS);
  try {
    await reader.start();
    const cpu = new CpuSnapshot({ ...cpuOf, [PROCESS.bench]: SELF });
    const startedAt = performance.now();
    await finished;
    return { ...catchUpResult(scenarios, startedAt, reachedAt), rowsDecoded, cpu: cpu.since(totalRowChanges(scenarios)) };
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
}
