import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NAME_PATTERN } from '../shared/cluster/model.ts';
import { FerryError } from '../shared/errors/index.ts';
import { PipelineRunner } from '../node/pipeline/pipeline-runner.ts';
import { NODE_DEFAULTS, NodeAgent, type NodeAgentOptions } from '../node/cluster/index.ts';
import { openPassword, openPipeSecret, processKeys } from '../shared/secrets/index.ts';
import { PipeHost } from '../node/pipe/pipe-host.ts';
import { PipeSourceSide } from '../node/verify/pipe-verify-side.ts';
import type { NodePipes } from '../node/pipeline/pipeline-runner.ts';
import { PIPE_FLAGS, PIPE_USAGE, pipeFromFlags, type PipeSettings } from './pipe-flags.ts';
import { zkConnectStringProblem } from '../shared/zk/connect-string.ts';
import { CA_USAGE, managerClientTls } from './api-tls.ts';
import { UsageProblems, parseCommandArgs, positiveInt, type Command, type CommandOptions } from './command.ts';
import { ZK_TLS_FLAGS, ZK_TLS_USAGE, zkTlsFromFlags } from './zk-tls-flags.ts';
import { ZK_AUTH_OPTIONS, ZK_AUTH_USAGE_NODE, nodeZkAuth } from './zk-auth-flags.ts';
import { metricsListenFromFlags, metricsUsage } from './metrics-flags.ts';
import { FerryMetrics } from '../shared/metrics/registry.ts';
import { startMetricsServer } from '../shared/metrics/metrics-server.ts';
import { feedZkSessionState } from '../shared/metrics/zk-session-metric.ts';
import { PipelineMetrics } from '../node/metrics/pipeline-metrics.ts';

const usage = `Usage: bin/ferry node --zk HOST:PORT[,HOST:PORT...][/CHROOT] --id ID --dc DC [options]

Runs a headless node: registers in ZooKeeper, runs the pipelines the leader manager assigns
to it while their channel's permit is START, and sends statistics to a live manager. Keeps a
local cache of what it runs, so it starts and keeps replicating while ZooKeeper is away.
SIGTERM or Ctrl-C: state 'leaving', pipelines stop after their batch in flight, exit 0; a
second signal exits at once.

Options:
  --zk CONNECT             ZooKeeper servers, with an optional chroot (required)
  --id ID                  node id, unique in the cluster (required)
  --dc DC                  datacenter of this node (required)
  --address HOST:PORT      where the node can be reached (default: the host name)
  --capacity N             pipelines it takes before it reports itself full (default ${NODE_DEFAULTS.capacity})
  --cache-dir DIR          local cache directory (default .ferry/node-<id>)
  --token TOKEN            API token made for this node id (role node) for stats; default env FERRY_NODE_TOKEN
  --manager URL            a manager's base URL, tried after the registered ones (repeatable)
${CA_USAGE}
  --stats-seconds N        seconds between stats reports (default ${NODE_DEFAULTS.statsIntervalMs / 1000})
  --session-timeout-ms N   ZooKeeper session timeout (default ${NODE_DEFAULTS.sessionTimeoutMs})
  --arbiter-backoff-ms N   first back-off between the ROLLBACK and the RESTART a failing pipeline
                           raises, doubling per failure in a row up to 60 s (default ${NODE_DEFAULTS.arbiterBackoffMs})
  --max-restarts N         RESTARTs in a row before the node pauses the channel and raises a
                           WARNING instead (default ${NODE_DEFAULTS.maxRestarts})
  --secret-key-file FILE   key file that opens the sealed data source passwords, the managers'
                           and pipe secrets, the managers' (default: environment variable
                           FERRY_SECRET_KEY_FILE)
${metricsUsage(27)}${ZK_TLS_USAGE}${ZK_AUTH_USAGE_NODE}${PIPE_USAGE}`;

const NAME = new RegExp(NAME_PATTERN);

function packageVersion(): string {
  const text = readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * A node's pipe tuning: a window of 256 batches, so that a 200 ms round trip does not bound
 * the stream at the default batch delay (docs/split-pipelines.md, Figures).
 */
const NODE_PIPE_TUNING = { window: { maxInFlightBatches: 256 } };

/** Every problem with the flags at once, as one usage error. */
function nodeOptions(values: Record<string, string | string[] | boolean | undefined>): NodeAgentOptions & { pipeSettings: PipeSettings; metricsListen: { host: string; port: number } | undefined } {
  const problems: string[] = [];
  const text = (name: string) => values[name] as string | undefined;
  const zk = text('zk');
  const id = text('id');
  const dc = text('dc');
  if (zk === undefined) problems.push('--zk is required');
  else {
    const bad = zkConnectStringProblem(zk);
    if (bad !== undefined) problems.push(`--zk ${bad}`);
  }
  for (const [flag, value] of [['--id', id], ['--dc', dc]] as const) {
    if (value === undefined) problems.push(`${flag} is required`);
    else if (!NAME.test(value)) problems.push(`${flag} takes letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit), got '${value}'`);
  }
  const managers = (values.manager as string[] | undefined) ?? [];
  for (const url of managers) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) problems.push(`--manager takes an http(s) URL, got '${url}'`);
  }
  const number = (flag: string, fallback: number): number => {
    try {
      return positiveInt(text(flag), `--${flag}`, fallback);
    } catch (error) {
      problems.push((error as FerryError).message);
      return fallback;
    }
  };
  const capacity = number('capacity', NODE_DEFAULTS.capacity);
  const statsIntervalMs = number('stats-seconds', NODE_DEFAULTS.statsIntervalMs / 1000) * 1000;
  const sessionTimeoutMs = number('session-timeout-ms', NODE_DEFAULTS.sessionTimeoutMs);
  const arbiterBackoffMs = number('arbiter-backoff-ms', NODE_DEFAULTS.arbiterBackoffMs);
  const maxRestarts = number('max-restarts', NODE_DEFAULTS.maxRestarts);
  let metricsListen: { host: string; port: number } | undefined;
  try {
    metricsListen = metricsListenFromFlags({ 'metrics-port': text('metrics-port'), 'metrics-host': text('metrics-host') });
  } catch (error) {
    problems.push((error as FerryError).message);
  }
  const zkTls = zkTlsFromFlags(values);
  problems.push(...zkTls.problems);
  const pipe = pipeFromFlags(values);
  problems.push(...pipe.problems);
  if (problems.length > 0) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: problems.join('; ') });
  const token = text('token') ?? process.env.FERRY_NODE_TOKEN;
  const managerTls = managerClientTls(text('ca'), 'node');
  return {
    ...NODE_DEFAULTS,
    zk: zk!,
    id: id!,
    dc: dc!,
    address: text('address') ?? hostname(),
    capacity,
    cacheDir: text('cache-dir') ?? join('.ferry', `node-${id!}`),
    ...(token ? { token } : {}),
    managers,
    ...(managerTls === undefined ? {} : { managerTls }),
    statsIntervalMs,
    sessionTimeoutMs,
    arbiterBackoffMs,
    maxRestarts,
    ...(zkTls.tls === undefined ? {} : { zkTls: zkTls.tls }),
    ...(pipe.settings.advertise === undefined ? {} : { pipe: { address: pipe.settings.advertise, tls: pipe.settings.tls !== undefined } }),
    pipeSettings: pipe.settings,
    metricsListen,
    version: packageVersion(),
  };
}

/** The command's flags (the docker test checks compose files against them). */
const OPTIONS = {
    zk: { type: 'string' },
    id: { type: 'string' },
    dc: { type: 'string' },
    address: { type: 'string' },
    capacity: { type: 'string' },
    'cache-dir': { type: 'string' },
    token: { type: 'string' },
    manager: { type: 'string', multiple: true },
    ca: { type: 'string' },
    'stats-seconds': { type: 'string' },
    'session-timeout-ms': { type: 'string' },
    'arbiter-backoff-ms': { type: 'string' },
    'max-restarts': { type: 'string' },
    'secret-key-file': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  ...PIPE_FLAGS,
  ...ZK_TLS_FLAGS,
  ...ZK_AUTH_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const satisfies CommandOptions;

export const nodeCommand: Command = {
  name: 'node',
  summary: 'run a headless node of a cluster (pipelines assigned through ZooKeeper)',
  usage,
  options: OPTIONS,
  async run(argv, { log, out }) {
    // Problems of the command line itself are reported with those of the values, at once.
    const parsing = new UsageProblems();
    const { values } = parseCommandArgs(argv, OPTIONS, false, parsing);
    if (values.help) {
      out(usage);
      return 0;
    }
    const options = parsing.check(() => nodeOptions(values), undefined);
    parsing.done();
    if (options === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'node options missing after their checks passed' });
    const secrets = processKeys(values['secret-key-file']);
    if (secrets.path === undefined) log.warn('no secret key file (--secret-key-file, FERRY_SECRET_KEY_FILE): pipelines whose passwords are sealed cannot start');
    const zkAuth = nodeZkAuth(values, process.env, log);
    const { pipeSettings, metricsListen, ...agentOptions } = options;
    // Pipeline series from this node's runners, the session's state; served only with --metrics-port.
    const metrics = metricsListen === undefined ? undefined : new FerryMetrics();
    const pipelineMetrics = metrics === undefined ? undefined : new PipelineMetrics(metrics);
    // First of the servers: a port in use stops the start before anything else is open.
    const served = metrics === undefined || metricsListen === undefined ? undefined : await startMetricsServer(metrics, metricsListen.host, metricsListen.port, log);
    // Listening before the node registers: its record then names a pipe that answers.
    const host = pipeSettings.listen === undefined ? undefined : await PipeHost.listen({ ...pipeSettings.listen, ...(pipeSettings.tls ? { tls: pipeSettings.tls.server } : {}), tuning: NODE_PIPE_TUNING, log: log.child({ node: options.id }) }).catch(async (error: unknown) => {
      // bin/ferry sets the exit code and waits for the event loop to empty: nothing may stay open.
      await served?.close();
      throw error;
    });
    const pipes: NodePipes = { ...(host ? { host } : {}), ...(pipeSettings.tls ? { clientTls: pipeSettings.tls.client } : {}), tuning: NODE_PIPE_TUNING };
    const agent = new NodeAgent(zkAuth ? { ...agentOptions, zkAuth } : agentOptions, {
      log,
      passwordOf: (dataSource) => openPassword(secrets.keys, dataSource.groupKey, dataSource.password),
      pipeSecretOf: (pipeline, sealed) => openPipeSecret(secrets.keys, pipeline, sealed),
      createRunner: (pipeline, cluster, role) => new PipelineRunner(pipeline, { log: log.child({ component: 'node', node: options.id, pipeline: pipeline.name, side: role.side }), ownerScope: `node:${options.id}`, ...cluster, role, pipes, ...(pipelineMetrics ? { metrics: pipelineMetrics } : {}) }),
      onRegistered: () => out(`node ${options.id} registered`),
      // A split pipeline's verify asks its select node over the pipe, the only way to its source from here.
      verifySourceOverPipe: (desired) => {
        const ask = host?.verifyAsker(desired.name);
        if (ask === undefined) return Promise.reject(new FerryError('FERRY_ERR_VERIFY_NO_PIPE', { pipeline: desired.name, detail: host === undefined ? 'this node has no pipe (--pipe-listen)' : 'no select side is connected to its load side here' }));
        return Promise.resolve({ side: new PipeSourceSide(ask), close: () => Promise.resolve() });
      },
    });
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        log.warn({ signal }, 'second signal: exiting without waiting for the batches in flight');
        process.exit(130);
      }
      log.info({ signal, node: options.id }, 'shutting down');
      void agent.shutdown();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    if (metrics !== undefined) feedZkSessionState(metrics, () => agent.zkState);
    if (served !== undefined) out(`metrics on ${served.url}/metrics`);
    try {
      agent.start();
      await agent.done;
      return 0;
    } finally {
      await host?.close();
      await served?.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
