import type { ManagerZkAuth } from '../shared/cluster/zk-access.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import type { ZkCredentials } from '../shared/zk/zk-acl.ts';
import { zkCredentialsFrom } from '../shared/zk/zk-credentials.ts';

/**
 * ZooKeeper credentials on the command line of every command that connects to ZooKeeper.
 * Passwords come from the environment or a file, never from a flag (flags show in `ps`).
 * Without credentials a command refuses to start unless --zk-insecure says so out loud.
 */
export const ZK_AUTH_OPTIONS = {
  'zk-auth-file': { type: 'string' },
  'zk-node-auth-file': { type: 'string' },
  'zk-insecure': { type: 'boolean' },
} as const;

const INSECURE_USAGE = `  --zk-insecure            run without credentials: every znode open to anyone who
                           reaches ZooKeeper (refused otherwise)
`;

export const ZK_AUTH_USAGE_MANAGER = `ZooKeeper access (README.md, Security):
  --zk-auth-file FILE      the managers' ZooKeeper identity, user:password in FILE
                           (default: environment variable FERRY_ZK_AUTH)
  --zk-node-auth-file FILE the nodes' identity, named in ACLs (default: FERRY_ZK_NODE_AUTH;
                           without either, the managers' identity serves for both)
${INSECURE_USAGE}`;

export const ZK_AUTH_USAGE_NODE = `ZooKeeper access (README.md, Security):
  --zk-node-auth-file FILE the nodes' ZooKeeper identity, user:password in FILE
                           (default: environment variable FERRY_ZK_NODE_AUTH)
  --zk-auth-file FILE      only in a cluster with one identity: the managers'
                           (default: FERRY_ZK_AUTH)
${INSECURE_USAGE}`;

export type ZkAuthValues = Partial<Record<keyof typeof ZK_AUTH_OPTIONS, string | boolean | undefined>>;

const file = (values: ZkAuthValues, flag: keyof typeof ZK_AUTH_OPTIONS) => values[flag] as string | undefined;

function insecure(values: ZkAuthValues, given: boolean, log: Logger, who: string): undefined {
  if (given) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--zk-insecure and ZooKeeper credentials (FERRY_ZK_AUTH, FERRY_ZK_NODE_AUTH, --zk-auth-file, --zk-node-auth-file) exclude each other' });
  if (values['zk-insecure'] !== true) {
    throw new FerryError('FERRY_ERR_ZK_AUTH_MISSING', { detail: `a ${who} needs ${who === 'node' ? 'FERRY_ZK_NODE_AUTH (or --zk-node-auth-file)' : 'FERRY_ZK_AUTH (or --zk-auth-file)'}, or --zk-insecure` });
  }
  log.warn({ flag: '--zk-insecure' }, 'ZooKeeper without credentials: every znode is open to anyone who can reach the ensemble');
  return undefined;
}

/** A manager's credentials: its own and the nodes' (to name in ACLs); undefined under --zk-insecure. */
export function managerZkAuth(values: ZkAuthValues, env: NodeJS.ProcessEnv, log: Logger): ManagerZkAuth | undefined {
  const manager = zkCredentialsFrom(file(values, 'zk-auth-file'), '--zk-auth-file', env, 'FERRY_ZK_AUTH');
  const node = zkCredentialsFrom(file(values, 'zk-node-auth-file'), '--zk-node-auth-file', env, 'FERRY_ZK_NODE_AUTH');
  if (manager === undefined) {
    if (node !== undefined && values['zk-insecure'] !== true) throw new FerryError('FERRY_ERR_ZK_AUTH_MISSING', { detail: 'the nodes\' identity alone is not enough: a manager needs its own, FERRY_ZK_AUTH (or --zk-auth-file)' });
    return insecure(values, node !== undefined, log, 'manager');
  }
  if (values['zk-insecure'] === true) return insecure(values, true, log, 'manager');
  return { manager, ...(node ? { node } : {}) };
}

/**
 * A node's own credentials: the nodes' identity, or in a cluster with one identity the
 * managers'. A node never needs the managers' password when the cluster has two.
 */
export function nodeZkAuth(values: ZkAuthValues, env: NodeJS.ProcessEnv, log: Logger): ZkCredentials | undefined {
  const own = zkCredentialsFrom(file(values, 'zk-node-auth-file'), '--zk-node-auth-file', env, 'FERRY_ZK_NODE_AUTH')
    ?? zkCredentialsFrom(file(values, 'zk-auth-file'), '--zk-auth-file', env, 'FERRY_ZK_AUTH');
  if (own === undefined || values['zk-insecure'] === true) return insecure(values, own !== undefined, log, 'node');
  return own;
}
