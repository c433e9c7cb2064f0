import { resolve } from 'node:path';
import { DEFAULT_UP, defaultStateDir, ensureInstalled, readState, restartMariaDb, servicesDown, servicesStatus, servicesUp } from '../services/index.ts';
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
  --purge              with down: delete the state folder and all data
  --browser            with install: also install Chromium (console tests)
`;

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
