import { FerryError } from '../shared/errors/index.ts';
import { startManager } from '../manager/index.ts';
import { parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry manager --zk HOST:PORT[,HOST:PORT...][/CHROOT] --port N --admin-token TOKEN [options]

Runs a manager: the REST API (/api/v1, docs/api.md) on every manager, and on the one
elected leader the scheduler that assigns pipelines to nodes. Run two or more against the
same ZooKeeper; when the leader dies another takes over within the session timeout.
SIGTERM or Ctrl-C stops it cleanly (leadership moves at once).

Options:
  --zk CONNECT             ZooKeeper servers, optionally with a chroot (required)
  --port N                 HTTP port of the API; 0 picks a free one (required)
  --host ADDRESS           address to listen on (default 127.0.0.1)
  --id ID                  manager id, unique among managers (default <hostname>-<port>)
  --admin-token TOKEN      bootstrap admin token, at least 8 characters
                           (default: environment variable FERRY_ADMIN_TOKEN)
  --session-timeout-ms N   ZooKeeper session timeout: how long a dead leader keeps
                           leading (default 10000)

Prints 'manager <id> listening on <url>' on stdout once it serves requests.
`;

function port(value: string | undefined): number {
  if (value === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--port is required (0 picks a free port)' });
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--port takes 0..65535, got '${value}'` });
  return parsed;
}

export const managerCommand: Command = {
  name: 'manager',
  summary: 'run a manager: REST API, leader election, scheduling',
  usage,
  async run(argv, { log, out }) {
    const { values } = parseCommandArgs(argv, {
      zk: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      id: { type: 'string' },
      'admin-token': { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      out(usage);
      return 0;
    }
    if (values.zk === undefined || values.zk.trim() === '') throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--zk is required (host:port[,host:port...][/chroot])' });
    const adminToken = values['admin-token'] ?? process.env.FERRY_ADMIN_TOKEN;
    if (adminToken === undefined || adminToken === '') throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'give the bootstrap admin token with --admin-token or FERRY_ADMIN_TOKEN' });
    if (adminToken.length < 8) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'the admin token must be at least 8 characters' });
    const sessionTimeoutMs = positiveInt(values['session-timeout-ms'], '--session-timeout-ms', 10_000);

    const manager = await startManager({
      zk: values.zk,
      port: port(values.port),
      adminToken,
      sessionTimeoutMs,
      log,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.id === undefined ? {} : { id: values.id }),
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
