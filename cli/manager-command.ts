import { FerryError } from '../shared/errors/index.ts';
import { DEFAULT_PLACEMENT_POLICY, PLACEMENT_POLICY_NAMES, startManager, type PlacementPolicyName } from '../manager/index.ts';
import { secretKeyFilePath } from '../shared/secrets/index.ts';
import { zkConnectStringProblem } from '../shared/zk/connect-string.ts';
import { MANAGER_TLS_USAGE, managerTlsFiles } from './api-tls.ts';
import { UsageProblems, parseCommandArgs, positiveInt, type Command, type CommandOptions } from './command.ts';
import { ZK_TLS_FLAGS, ZK_TLS_USAGE, zkTlsFromFlags } from './zk-tls-flags.ts';
import { ZK_AUTH_OPTIONS, ZK_AUTH_USAGE_MANAGER, managerZkAuth } from './zk-auth-flags.ts';

const usage = `Usage: bin/ferry manager --zk HOST:PORT[,HOST:PORT...][/CHROOT] --port N --admin-token TOKEN [options]

Runs a manager: the REST API (/api/v1, docs/api.md) on every manager, and on the one
elected leader the scheduler that assigns pipelines to nodes and moves the work of nodes
that die. Run two or more against the same ZooKeeper; when the leader dies another takes
over within the session timeout. SIGTERM or Ctrl-C stops it cleanly (leadership moves at once).

Options:
  --zk CONNECT             ZooKeeper servers, optionally with a chroot (required)
  --port N                 HTTP port of the API; 0 picks a free one (required)
  --host ADDRESS           address to listen on (default 127.0.0.1)
  --id ID                  manager id, unique among managers (default <hostname>-<port>)
  --admin-token TOKEN      bootstrap admin token, at least 8 characters
                           (default: environment variable FERRY_ADMIN_TOKEN)
  --session-timeout-ms N   ZooKeeper session timeout: how long a dead leader keeps
                           leading (default 10000)
  --protection-period D    how long the work of a vanished node waits for it to come
                           back before it moves: 90s, 500ms, 2m (default 90s); a node
                           that shuts down cleanly does not wait
  --placement-policy NAME  how pipelines are placed on nodes: ${PLACEMENT_POLICY_NAMES.join(', ')}
                           (default ${DEFAULT_PLACEMENT_POLICY})
  --alarm-webhook URL      where alarms are POSTed when raised or cleared (http or
                           https; default: none, alarms go to the event log only)
  --audit-file FILE        also append every audit entry (API writes, failed sign-ins) to
                           FILE as one JSON line; created mode 0600 (default: none, the
                           audit log is in ZooKeeper, GET /api/v1/audit)
  --audit-keep N           audit entries kept, newest first, at most 50000 (default 10000)
  --audit-days D           audit entries older than D days are pruned; 0.5 works
                           (default 90)
${MANAGER_TLS_USAGE}
  --secret-key-file FILE   key file that seals data source passwords (default: environment
                           variable FERRY_SECRET_KEY_FILE; without one, passwords are refused)
  --metrics-public         serve GET /metrics (Prometheus) without a token (default: any
                           valid API token)
  --history-versions N     configuration versions kept per data source, channel and
                           token (default 100)
  --history-days D         configuration versions older than D days are dropped; the
                           newest of an existing one stays (default 90)
${ZK_TLS_USAGE}${ZK_AUTH_USAGE_MANAGER}
Prints 'manager <id> listening on <url>' on stdout once it serves requests.
`;

function port(value: string | undefined): number {
  if (value === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--port is required (0 picks a free port)' });
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--port takes 0..65535, got '${value}'` });
  return parsed;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

/** '90s', '500ms', '2m' (a unit is required: a bare number is too easy to misread) to milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]) : NaN;
  if (!Number.isSafeInteger(ms)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes a duration with a unit such as 90s, 500ms or 2m, got '${value}'` });
  return ms;
}

function webhookUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--alarm-webhook takes an http or https URL, got '${value}'` });
  return value;
}

/**
 * --audit-keep: 1 to 50000. Listing the entries is one ZooKeeper getChildren, whose answer
 * must fit ZooKeeper's 1 MiB packet limit (jute.maxbuffer): 50000 names are about 0.8 MB.
 */
export function auditKeepCount(value: string | undefined): number {
  const keep = positiveInt(value, '--audit-keep', 10_000);
  if (keep > 50_000) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--audit-keep takes at most 50000 (ZooKeeper lists the entries in one answer), got '${value}'` });
  return keep;
}

/** --audit-days: a positive number of days (fractions allowed), in milliseconds. */
export function auditDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const days = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(days > 0) || !Number.isSafeInteger(Math.round(days * 86_400_000))) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--audit-days takes a number of days above 0, such as 90 or 0.5, got '${value}'` });
  return Math.round(days * 86_400_000);
}

function placementPolicy(value: string | undefined): PlacementPolicyName | undefined {
  if (value === undefined) return undefined;
  const name = PLACEMENT_POLICY_NAMES.find((known) => known === value);
  if (name === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--placement-policy takes one of ${PLACEMENT_POLICY_NAMES.join(', ')}, got '${value}'` });
  return name;
}

/** The command's flags (the docker test checks compose files against them). */
const OPTIONS = {
    zk: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    id: { type: 'string' },
    'admin-token': { type: 'string' },
    'session-timeout-ms': { type: 'string' },
    'protection-period': { type: 'string' },
    'placement-policy': { type: 'string' },
    'alarm-webhook': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'secret-key-file': { type: 'string' },
  'metrics-public': { type: 'boolean' },
  'audit-file': { type: 'string' },
  'audit-keep': { type: 'string' },
  'audit-days': { type: 'string' },
  'history-versions': { type: 'string' },
  'history-days': { type: 'string' },
  ...ZK_TLS_FLAGS,
  ...ZK_AUTH_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const satisfies CommandOptions;

export const managerCommand: Command = {
  name: 'manager',
  summary: 'run a manager: REST API, leader election, scheduling',
  usage,
  options: OPTIONS,
  async run(argv, { log, out }) {
    // Every problem of the flags at once, before anything connects.
    const problems = new UsageProblems();
    const { values } = parseCommandArgs(argv, OPTIONS, false, problems);
    if (values.help) {
      out(usage);
      return 0;
    }
    const zk = values.zk ?? '';
    if (values.zk === undefined || values.zk.trim() === '') problems.add('--zk is required (host:port[,host:port...][/chroot])');
    else {
      const bad = zkConnectStringProblem(values.zk);
      if (bad !== undefined) problems.add(`--zk ${bad}`);
    }
    const adminToken = values['admin-token'] ?? process.env.FERRY_ADMIN_TOKEN;
    if (adminToken === undefined || adminToken === '') problems.add('give the bootstrap admin token with --admin-token or FERRY_ADMIN_TOKEN');
    else if (adminToken.length < 8) problems.add('the admin token must be at least 8 characters');
    const listenPort = problems.check(() => port(values.port), 0);
    const sessionTimeoutMs = problems.check(() => positiveInt(values['session-timeout-ms'], '--session-timeout-ms', 10_000), 10_000);
    const protectionPeriodMs = problems.check(() => parseDuration(values['protection-period'] ?? '90s', '--protection-period'), 90_000);
    const policy = problems.check(() => placementPolicy(values['placement-policy']), undefined);
    const alarmWebhookUrl = problems.check(() => webhookUrl(values['alarm-webhook']), undefined);
    const auditKeep = problems.check(() => auditKeepCount(values['audit-keep']), 10_000);
    const auditMaxAgeMs = problems.check(() => auditDays(values['audit-days']), undefined);
    const auditFile = values['audit-file'];
    if (auditFile !== undefined && auditFile.trim() === '') problems.add('--audit-file takes a file path');
    const historyVersions = problems.check(() => positiveInt(values['history-versions'], '--history-versions', 100), 100);
    const historyDays = problems.check(() => positiveInt(values['history-days'], '--history-days', 90), 90);
    const tls = managerTlsFiles(values['tls-cert'], values['tls-key'], problems);
    const zkTls = zkTlsFromFlags(values);
    for (const problem of zkTls.problems) problems.add(problem);
    problems.done();
    const secretKeyFile = secretKeyFilePath(values['secret-key-file']);
    const zkAuth = managerZkAuth(values, process.env, log);

    const manager = await startManager({
      ...(zkAuth ? { zkAuth } : {}),
      zk,
      port: listenPort,
      adminToken: adminToken!,
      sessionTimeoutMs,
      protectionPeriodMs,
      historyRetention: { versions: historyVersions, days: historyDays },
      ...(policy === undefined ? {} : { placementPolicy: policy }),
      ...(alarmWebhookUrl === undefined ? {} : { alarmWebhookUrl }),
      ...(secretKeyFile === undefined ? {} : { secretKeyFile }),
      ...(zkTls.tls === undefined ? {} : { zkTls: zkTls.tls }),
      log,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.id === undefined ? {} : { id: values.id }),
      ...(tls === undefined ? {} : { tls }),
      audit: { keep: auditKeep, ...(auditMaxAgeMs === undefined ? {} : { maxAgeMs: auditMaxAgeMs }), ...(auditFile === undefined ? {} : { file: auditFile }) },
      ...(values['metrics-public'] === true ? { metricsPublic: true } : {}),
    });
    out(`manager ${manager.id} listening on ${manager.url}`);

    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          log.warn({ signal }, 'second signal: exiting at once');
          process.exit(130);
        }
        log.info({ signal }, 'stopping the manager');
        manager.stop().then(resolve, (error: unknown) => {
          log.error({ err: error }, 'manager stop failed');
          resolve();
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    return 0;
  },
};
