import { pathToFileURL } from 'node:url';
import type { RuntimePipeline } from '../shared/config/load-pipeline-config.ts';
import { pipelineFromFlags } from './pipeline-from-flags.ts';
import { FerryError, describeError } from '../shared/errors/index.ts';
import type { RowHook } from '../node/extract/extractor.ts';
import { PipelineRunner } from '../node/pipeline/pipeline-runner.ts';
import { startContinuousValidation } from '../node/verify/continuous-validation.ts';
import { PASSWORD_FLAGS, flagPasswords, sidesWithUrlPassword, withPasswords } from './run-passwords.ts';
import { metricsListenFromFlags, metricsUsage } from './metrics-flags.ts';
import { FerryMetrics } from '../shared/metrics/registry.ts';
import { startMetricsServer } from '../shared/metrics/metrics-server.ts';
import { PipelineMetrics } from '../node/metrics/pipeline-metrics.ts';
import { UsageProblems, parseCommandArgs, positiveInt, type Command, type CommandOptions } from './command.ts';

const usage = `Usage: bin/ferry run --config pipeline.yaml [options]
       bin/ferry run --source mysql://user:pass@host:port --target mysql://user:pass@host:port --tables 'db.tbl,db2.*' [options]

Runs one pipeline in this process, with no ZooKeeper and no manager: reads the source
binlog and applies every committed row change to the target exactly once, resuming from
the checkpoint Ferry keeps in the target. SIGTERM or Ctrl-C stops after the batch in flight.

Options (override the file's fields):
  --config FILE          pipeline file (YAML or JSON; docs/examples/pipeline.yaml)
  --source URL           source database, as the replication user
  --target URL           target database
  --tables LIST          comma-separated source tables or patterns (db.tbl, db.*, db.order_*)
  --name NAME            pipeline name: the key of its checkpoint (default from the URLs)
  --from POSITION        where a new pipeline starts: a GTID set (0-1-100), file:offset or end;
                         ignored once the target holds a checkpoint (default: the binlog end;
                         a pipeline whose checkpoint vanished needs it, FERRY_ERR_CHECKPOINT_MISSING)
  --initial-copy         a new pipeline first copies the rows already on the source, online
                         (primary-key chunks; resumes after a crash), then streams the binlog
  --on-purged-binlog stop|resync  the binlog at the checkpoint was purged: stop (default) with
                         FERRY_ERR_BINLOG_PURGED, or re-copy every table online and stream on
  --validate-every SECONDS  continuous validation: verify the tables in the background every
                         SECONDS while running; differences are logged at error level (0: off)
  --parallel N           apply connections (default 4)
  --batch-rows N         most rows in one target transaction (default 1000)
  --ddl stop|apply|ignore  DDL on replicated tables (default stop)
  --error-policy stop|skip rows the target refuses (default stop; skip records them)
  --binlog-replay auto|off|require  replay the source's row events on the target where they
                         give the same rows (default auto; docs/replay.md)
  --skip-precheck ID     skip one precheck by id (repeatable)
  --progress-seconds N   seconds between progress lines (default 5)
  --source-password-env VAR   the source password from environment variable VAR
  --source-password-file FILE the source password from FILE (one trailing newline removed)
  --target-password-env VAR, --target-password-file FILE   the same for the target
                         (a password in a URL on the command line shows in ps: use these)
${metricsUsage(25)}`;

async function loadHook(path: string): Promise<RowHook> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new FerryError('FERRY_ERR_CONFIG_FILE', { path, detail: `cannot load the hook module: ${describeError(error)}` }, { cause: error });
  }
  if (typeof module.default !== 'function') throw new FerryError('FERRY_ERR_CONFIG_FILE', { path, detail: 'the hook module must export a function as its default export' });
  return module.default as RowHook;
}

/** The command's flags (the docker test checks compose files against them). */
const OPTIONS = {
  config: { type: 'string' },
  source: { type: 'string' },
  target: { type: 'string' },
  tables: { type: 'string' },
  name: { type: 'string' },
  from: { type: 'string' },
  'initial-copy': { type: 'boolean' },
  'on-purged-binlog': { type: 'string' },
  'validate-every': { type: 'string' },
  parallel: { type: 'string' },
  'batch-rows': { type: 'string' },
  ddl: { type: 'string' },
  'error-policy': { type: 'string' },
  'binlog-replay': { type: 'string' },
  'skip-precheck': { type: 'string', multiple: true },
  'progress-seconds': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  ...PASSWORD_FLAGS,
  help: { type: 'boolean', short: 'h' },
} as const satisfies CommandOptions;

export const runCommand: Command = {
  name: 'run',
  summary: 'run one pipeline in this process (no ZooKeeper, no manager)',
  usage,
  options: OPTIONS,
  async run(argv, { log, out }) {
    // Every problem of the flags at once; the pipeline's own fields are then checked together.
    const problems = new UsageProblems();
    const { values } = parseCommandArgs(argv, OPTIONS, false, problems);
    if (values.help) {
      out(usage);
      return 0;
    }
    const overrides: Record<string, unknown> = {};
    if (values.name !== undefined) overrides.name = values.name;
    if (values.from !== undefined) overrides.from = values.from;
    if (values['initial-copy'] === true) overrides.initialCopy = true;
    if (values['on-purged-binlog'] !== undefined) overrides.onPurgedBinlog = values['on-purged-binlog'];
    // Checked with the pipeline's fields (a whole number, 0 or at least 10).
    if (values['validate-every'] !== undefined) overrides.validation = { intervalSeconds: Number(values['validate-every']) };
    if (values.parallel !== undefined) overrides.parallel = problems.check(() => positiveInt(values.parallel, '--parallel', 4), 4);
    if (values['batch-rows'] !== undefined) overrides.batch = { maxRows: problems.check(() => positiveInt(values['batch-rows'], '--batch-rows', 1000), 1000) };
    const metricsListen = problems.check(() => metricsListenFromFlags(values), undefined);
    const progressMs = problems.check(() => positiveInt(values['progress-seconds'], '--progress-seconds', 5), 5) * 1000;
    if (values.config === undefined && (values.source === undefined || values.target === undefined || values.tables === undefined)) {
      problems.add('give --config FILE, or all of --source, --target and --tables');
    }
    problems.done();
    if (values.ddl !== undefined) overrides.ddl = values.ddl;
    if (values['error-policy'] !== undefined) overrides.errorPolicy = values['error-policy'];
    if (values['binlog-replay'] !== undefined) overrides.binlogReplay = values['binlog-replay'];
    if (values['skip-precheck'] !== undefined) overrides.skipPrechecks = values['skip-precheck'];

    const passwords = flagPasswords(values);
    const exposed = sidesWithUrlPassword(values);
    // The command line is in every process listing of this machine: say so, without the password.
    if (exposed.length > 0) log.warn({ sides: exposed }, 'password given in a URL on the command line, visible to ps; use --source-password-env or --source-password-file (and the target ones)');

    const pipeline: RuntimePipeline = withPasswords(await pipelineFromFlags(values, overrides), passwords);
    const hook = pipeline.hook === undefined ? undefined : await loadHook(pipeline.hook);
    const runLog = log.child({ component: 'run', pipeline: pipeline.name });
    // exclusive: one live process per pipeline; a second exits with FERRY_ERR_PIPELINE_RUNNING.
    const metrics = metricsListen === undefined ? undefined : new FerryMetrics();
    const runner = new PipelineRunner(pipeline, { log: runLog, exclusive: true, ...(hook ? { hook } : {}), ...(metrics ? { metrics: new PipelineMetrics(metrics) } : {}) });
    const served = metrics === undefined || metricsListen === undefined ? undefined : await startMetricsServer(metrics, metricsListen.host, metricsListen.port, runLog);
    if (served !== undefined) out(`metrics on ${served.url}/metrics`);

    const validation = pipeline.validation.intervalSeconds > 0 ? startContinuousValidation(pipeline, runLog.child({ component: 'validation' })) : undefined;
    const progress = setInterval(() => {
      const status = runner.status();
      runLog.info({ state: status.state, position: status.position, lagMs: status.lagMs, applyDelayMs: status.applyDelayMs, rowsPerSecond: status.rowsPerSecond, rowsApplied: status.rowsApplied, rowsReplayed: status.rowsReplayed ?? 0, ...(status.replayFallbacks ? { replayFallbacks: status.replayFallbacks } : {}), ...(status.copy ? { copy: status.copy } : {}) }, 'progress');
    }, progressMs);
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        runLog.warn({ signal }, 'second signal: exiting without waiting for the batch in flight');
        process.exit(130);
      }
      runLog.info({ signal }, 'stopping after the batch in flight');
      runner.stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      await runner.run();
      const status = runner.status();
      runLog.info({ position: status.position, rowsApplied: status.rowsApplied }, 'stopped');
      return 0;
    } finally {
      clearInterval(progress);
      await validation?.stop();
      await served?.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
