import { resolve } from 'node:path';
import { DEFAULT_UP, defaultStateDir, ensureInstalled, readState, restartMariaDb, servicesDown, servicesStatus, servicesUp, type ZooKeeperTls } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import { parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry services <up|down|status|restart|install> [options]

Runs real ZooKeeper and MariaDB servers on 127.0.0.1 for development, tests, the demo and
the benchmark: plain background processes under a state folder, never system services.

  up        install what is missing (apt-get, as root), start, wait until each answers
  down      stop exactly the processes 'up' started, by pid   (--purge also deletes data)
  status    print every endpoint as JSON
  restart   restart one MariaDB instance by name (same data and port)
  install   only install the Debian packages (--browser adds Chromium)

Options:
  --state-dir DIR      state folder (default .ferry/services, or FERRY_STATE_DIR)
  --zk-servers N       ZooKeeper servers: 1, an ensemble of 3+, or 0 (default ${DEFAULT_UP.zkServers})
  --zk-port P          first ZooKeeper client port (default ${DEFAULT_UP.zkPort})
  --mariadb N          MariaDB instances db1..dbN (default ${DEFAULT_UP.mariadb})
  --mariadb-port P     port of db1, dbN gets P+N-1 (default ${DEFAULT_UP.mariadbPort})
  --zk-tls-cert FILE   with --zk-tls-key and --zk-tls-ca: ZooKeeper also serves TLS on a
  --zk-tls-key FILE    secureClientPort (client port + 300) with this PEM certificate and key;
  --zk-tls-ca FILE     the CA trusted for client certificates
  --zk-tls-client-auth need|want|none
                       whether clients of the secure port must show a certificate (default none)
  --purge              with down: delete the state folder and all data
  --browser            with install: also install Chromium (console tests)
`;

const CLIENT_AUTH = ['need', 'want', 'none'] as const;

/** The --zk-tls-* flags of `services up`: all three files, or none. */
export function zooKeeperTlsFlags(values: { 'zk-tls-cert'?: string; 'zk-tls-key'?: string; 'zk-tls-ca'?: string; 'zk-tls-client-auth'?: string }): { zkTls?: ZooKeeperTls } {
  const files = { cert: values['zk-tls-cert'], key: values['zk-tls-key'], ca: values['zk-tls-ca'] };
  const given = Object.values(files).filter((file) => file !== undefined).length;
  const clientAuth = values['zk-tls-client-auth'];
  if (given === 0 && clientAuth === undefined) return {};
  if (given < 3) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--zk-tls-cert, --zk-tls-key and --zk-tls-ca go together' });
  const auth = CLIENT_AUTH.find((known) => known === (clientAuth ?? 'none'));
  if (auth === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--zk-tls-client-auth takes need, want or none, got '${clientAuth}'` });
  return { zkTls: { cert: resolve(files.cert!), key: resolve(files.key!), ca: resolve(files.ca!), clientAuth: auth } };
}

export const servicesCommand: Command = {
  name: 'services',
  summary: 'run real ZooKeeper and MariaDB on loopback (up, down, status)',
  usage,
  async run(argv, { log, out }) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        'state-dir': { type: 'string' },
        'zk-servers': { type: 'string' },
        'zk-port': { type: 'string' },
        mariadb: { type: 'string' },
        'mariadb-port': { type: 'string' },
        'zk-tls-cert': { type: 'string' },
        'zk-tls-key': { type: 'string' },
        'zk-tls-ca': { type: 'string' },
        'zk-tls-client-auth': { type: 'string' },
        purge: { type: 'boolean' },
        browser: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    const [action, ...rest] = positionals;
    if (values.help || action === undefined) {
      out(usage);
      return action === undefined && !values.help ? 2 : 0;
    }
    const stateDir = values['state-dir'] ? resolve(values['state-dir']) : defaultStateDir();
    switch (action) {
      case 'up':
        await servicesUp(
          {
            stateDir,
            zkServers: values['zk-servers'] === '0' ? 0 : positiveInt(values['zk-servers'], '--zk-servers', DEFAULT_UP.zkServers),
            zkPort: positiveInt(values['zk-port'], '--zk-port', DEFAULT_UP.zkPort),
            mariadb: positiveInt(values.mariadb, '--mariadb', DEFAULT_UP.mariadb),
            mariadbPort: positiveInt(values['mariadb-port'], '--mariadb-port', DEFAULT_UP.mariadbPort),
            ...zooKeeperTlsFlags(values),
          },
          log,
        );
        out(JSON.stringify(servicesStatus(stateDir), null, 2));
        return 0;
      case 'down':
        if (!(await servicesDown(stateDir, log, { purge: values.purge === true }))) out(`nothing recorded in ${stateDir}`);
        return 0;
      case 'status':
        out(JSON.stringify(servicesStatus(stateDir), null, 2));
        return 0;
      case 'restart': {
        const state = readState(stateDir);
        if (!state) throw new FerryError('FERRY_ERR_SERVICES_NOT_UP', { stateDir });
        if (rest[0] === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'restart needs an instance name, such as db1' });
        await restartMariaDb(state, rest[0], log);
        return 0;
      }
      case 'install':
        ensureInstalled(log, { browser: values.browser === true });
        return 0;
      default:
        throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `unknown services action '${action}'` });
    }
  },
};
