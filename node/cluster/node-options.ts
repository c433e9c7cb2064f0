import type { ClientTls } from '../../shared/tls/tls-options.ts';
import type { ZkTlsOptions } from '../../shared/zk/zk-tls-tunnel.ts';
import type { ZkCredentials } from '../../shared/zk/zk-acl.ts';
import type { VerifyPartOptions } from '../verify/verify-part.ts';

/** What `bin/ferry node` runs with; the command fills every default. */
export interface NodeAgentOptions {
  /** ZooKeeper connect string: host:port[,host:port...][/chroot]. */
  zk: string;
  /** TLS to ZooKeeper's secureClientPorts (then named in `zk`). @default plain TCP */
  zkTls?: ZkTlsOptions;
  /** Node id, unique in the cluster; the name of its znode /nodes/<id>. */
  id: string;
  /** Datacenter; placement keeps Select near the source and Load near the target. */
  dc: string;
  /** host:port where the node can be reached (display, later remote pipes). @default the host name */
  address: string;
  /**
   * Its pipe server, for the node record: the address other nodes dial (--pipe-advertise, else
   * --pipe-listen) and whether it speaks TLS. Only a node with one takes load sides of split
   * pipelines. @default none
   */
  pipe?: { address: string; tls: boolean };
  /** Pipelines it takes before it reports itself 'full'. @default 8 */
  capacity: number;
  /** Where cluster-cache.json lives. @default .ferry/node-<id> */
  cacheDir: string;
  /** Bearer token for the manager's stats endpoint (role node or admin). @default FERRY_NODE_TOKEN */
  token?: string;
  /** Manager base URLs tried after those registered in ZooKeeper. @default [] */
  managers: readonly string[];
  /** TLS for managers serving https:// (a CA for private certificates). @default the system's CAs */
  managerTls?: ClientTls;
  /** Between two stats reports. @default 2000 */
  statsIntervalMs: number;
  /** Between two health measurements of the data sources in its datacenter (health-prober.ts). @default 3000 */
  healthIntervalMs?: number;
  /** ZooKeeper session timeout asked for. @default 10000 */
  sessionTimeoutMs: number;
  /** One ZooKeeper connection attempt; after the first failure the node runs from its cache. @default 5000 */
  connectTimeoutMs: number;
  /** Full re-read and reconcile even when no watch fired. @default 5000 */
  safetyReconcileMs: number;
  /** Changes arriving within this window are reconciled once. @default 75 */
  debounceMs: number;
  /** Back-off between a node-raised ROLLBACK and its RESTART, doubling per failure in a row (to 60 s). @default 1000 */
  arbiterBackoffMs: number;
  /** RESTARTs in a row a node raises for a failing pipeline before it pauses the channel with a WARNING. @default 5 */
  maxRestarts: number;
  /** Ferry's version, as package.json says. */
  version: string;
  /** The node identity's ZooKeeper credentials (FERRY_ZK_NODE_AUTH). @default none: anonymous, world-open znodes (--zk-insecure) */
  zkAuth?: ZkCredentials;
  /** Verify jobs' tuning (chunk size, re-checks, the wait for the pipeline's checkpoint). @default verify-part.ts's defaults */
  verify?: VerifyPartOptions;
}

export const NODE_DEFAULTS = {
  capacity: 8,
  statsIntervalMs: 2_000,
  sessionTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  safetyReconcileMs: 5_000,
  debounceMs: 75,
  arbiterBackoffMs: 1_000,
  maxRestarts: 5,
} as const;
