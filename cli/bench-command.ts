import { runBench } from '../bench/run-bench.ts';
import { runConflictBench } from '../bench/run-conflict-bench.ts';
import { stopConflictServers } from '../bench/conflict-servers.ts';
import { runFullSyncBench } from '../bench/run-full-sync-bench.ts';
import { stopFullSyncServers } from '../bench/full-sync-servers.ts';
import { runWanBench } from '../bench/run-wan-bench.ts';
import { killFerryProcesses } from '../bench/ferry-process.ts';
import { stopBenchServers } from '../bench/servers.ts';
import { stopWanServers } from '../bench/wan-servers.ts';
import { FerryError, describeError, isFerryError } from '../shared/errors/index.ts';
import { parseCommandArgs, type Command } from './command.ts';

const usage = `Usage: bin/ferry bench [--quick] [--wan | --full-sync | --conflicts [--parallel N]]

Benchmarks Ferry against MariaDB's native replication on servers of its own (4 MariaDB
under .ferry/bench, stopped and purged at the end). Writes one deterministic backlog on a
primary: (a) narrow-table inserts, (b) updates by key then deletes, (c) single-row
transactions, (d) a 20-column table of mixed types; then measures, in one run:

  - catch-up rows/s per scenario: native replication (1 SQL thread, then 4 optimistic
    threads) and bin/ferry run from an empty checkpoint; every copy is checked against
    the primary (CHECKSUM TABLE) before its figure counts
  - raw limits: zongji decode alone, and mysql2 500-row upserts in 1000-row transactions
  - lag p50/p99/max with Ferry caught up, at 1,000 and 5,000 rows/s of 10-row transactions
  - Ferry's peak resident memory (VmHWM)

Prints a table and writes bench/results/latest.json. Ferry's rows/s and the ratios count
from its 'pipeline starting' log line; the figure including process start is printed too.

  --quick   about 200k row changes and 10 s per lag rate, under 3 minutes
            (default: about 600k row changes and 30 s per lag rate)
  --wan     the cross-datacenter benchmark instead (docs/benchmarks.md, "WAN"): a sysbench
            oltp_write_only backlog caught up through an emulated link of 100 ms each way
            and 20 Mbit/s by native replication, bin/ferry run in the target's and in the
            source's datacenter, and split pipelines (select and load sides joined by the
            pipe) at several batch delays and windows; catch-up rows/s, WAN bytes per row
            change, lag at 1,000 and 5,000 rows/s. Servers under .ferry/bench-wan; results
            in bench/results/wan-latest.json. About 15 minutes; with --quick a 4,000-
            transaction backlog and 10 s per lag rate, a few minutes
  --full-sync  the full sync and verify benchmark instead (docs/benchmarks.md, "Full sync
            and verify"): 1,000,000 narrow rows on a source and a target; bin/ferry verify
            against CHECKSUM TABLE on both servers; copies into an empty target by
            mariadb-dump | mariadb and by bin/ferry run --initial-copy, idle and under a
            steady write load (which must end identical). Servers under
            .ferry/bench-full-sync; results in bench/results/full-sync-latest.json. About
            20 s plus Ferry's two copies; with --quick 100,000 rows
  --conflicts  the cost of conflict detection instead (docs/benchmarks.md, "Conflict
            detection"): the backlog above caught up by bin/ferry run with detectConflicts
            off and on, alternating (4 pairs; --quick 3 pairs of the quick backlog), each
            into a fresh target checked against the source; rows/s off and on, the ratio,
            µs per row change (wall, Ferry CPU, target CPU), conflicts recorded (0 expected);
            then a target changed behind Ferry's back on 5% of the updated rows (conflicts/s).
            Servers under .ferry/bench-conflicts; results in bench/results/conflicts-latest.json
  --parallel N  with --conflicts: the pipeline's apply connections in every run (default 4)
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'catch-up, lag and memory against MariaDB native replication (--wan: across an emulated WAN; --full-sync: copy and verify; --conflicts: conflict detection)',
  usage,
  async run(argv, { log, out }) {
    const { values } = parseCommandArgs(argv, { quick: { type: 'boolean' }, wan: { type: 'boolean' }, 'full-sync': { type: 'boolean' }, conflicts: { type: 'boolean' }, parallel: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      out(usage);
      return 0;
    }
    const wan = values.wan === true;
    const fullSync = values['full-sync'] === true;
    const conflicts = values.conflicts === true;
    if ([wan, fullSync, conflicts].filter(Boolean).length > 1) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--wan, --full-sync and --conflicts are separate benchmarks: give one' });
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && (!conflicts || !Number.isInteger(parallel) || parallel < 1 || parallel > 64)) {
      throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--parallel N (1 to 64) goes with --conflicts only' });
    }
    const stopServers = wan ? stopWanServers : fullSync ? stopFullSyncServers : conflicts ? stopConflictServers : stopBenchServers;
    // The servers run detached from this process: an interrupted run stops them before exiting.
    const interrupted = (): void => {
      out('interrupted: stopping the benchmark processes and servers');
      killFerryProcesses();
      void stopServers(log).finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      const options = { quick: values.quick === true, log, out };
      await (wan ? runWanBench(options) : fullSync ? runFullSyncBench(options) : conflicts ? runConflictBench({ ...options, parallel }) : runBench(options));
      return 0;
    } catch (error) {
      // Ferry's own errors keep their code line (cli/main.ts); a benchmark failure gets its message as is.
      if (isFerryError(error)) throw error;
      process.stderr.write(`ferry bench: failed: ${describeError(error)}\n`);
      return 1;
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    }
  },
};
