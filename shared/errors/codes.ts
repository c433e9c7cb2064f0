/**
 * The one registry of Ferry's error codes. Every error Ferry raises on purpose has a code
 * here; code branches on `code`, never on message text. docs/errors.md documents each code
 * (a unit test fails when one is missing there).
 *
 * scope: where the fault lies. `upstream` = source database, `downstream` = target database,
 * `coordination` = ZooKeeper, `config` = what the user gave us, `environment` = the machine,
 * `internal` = a bug in Ferry.
 */
export type ErrorScope = 'upstream' | 'downstream' | 'coordination' | 'config' | 'environment' | 'internal';

export interface ErrorSpec {
  /** Message template; `{name}` is replaced by the detail field of that name. */
  readonly message: string;
  readonly scope: ErrorScope;
  /** True when retrying the same operation later may succeed without anyone acting. */
  readonly retryable: boolean;
  /** HTTP status when the error reaches the REST API. */
  readonly http: number;
  /** What the operator should do. */
  readonly workaround: string;
}

const spec = (s: ErrorSpec): ErrorSpec => s;

export const ERROR_CODES = {
  FERRY_ERR_INTERNAL: spec({
    message: 'internal error: {detail}',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'This is a bug in Ferry. Report it with the log lines around it.',
  }),
  FERRY_ERR_CLI_USAGE: spec({
    message: '{detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Run `bin/ferry --help` or `bin/ferry <command> --help` for the accepted arguments.',
  }),
  FERRY_ERR_CONFIG_INVALID: spec({
    message: 'invalid configuration: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Fix every listed field; README.md (Configuration) documents each one.',
  }),

  // bin/ferry services: the development servers.
  FERRY_ERR_SERVICES_NOT_INSTALLED: spec({
    message: '{what} is not installed and Ferry cannot install it ({detail})',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'As root run: apt-get update && apt-get install -y --no-install-recommends zookeeper mariadb-server mariadb-client',
  }),
  FERRY_ERR_SERVICES_INSTALL_FAILED: spec({
    message: 'installing {what} with apt-get failed: {detail}',
    scope: 'environment', retryable: true, http: 500,
    workaround: 'Check that the Debian package sources are reachable (apt-get update), then run the command again.',
  }),
  FERRY_ERR_SERVICES_JAVA_MISSING: spec({
    message: 'Java is not installed; ZooKeeper needs it',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'As root run: apt-get install -y --no-install-recommends default-jre-headless',
  }),
  FERRY_ERR_SERVICES_PORT_IN_USE: spec({
    message: 'port {port} on 127.0.0.1 is already in use (wanted for {what})',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Stop whatever listens there, or pick other ports with --zk-port / --mariadb-port.',
  }),
  FERRY_ERR_SERVICES_START_FAILED: spec({
    message: '{what} did not start: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Read the server log named in the message; nothing was left running.',
  }),
  FERRY_ERR_SERVICES_ALREADY_UP: spec({
    message: 'services are already running from {stateDir}',
    scope: 'environment', retryable: false, http: 409,
    workaround: 'Use `bin/ferry services status`, or `bin/ferry services down` first to change the layout.',
  }),
  FERRY_ERR_SERVICES_NOT_UP: spec({
    message: 'no services are running from {stateDir}',
    scope: 'environment', retryable: false, http: 404,
    workaround: 'Start them with `bin/ferry services up`.',
  }),

  // ZooKeeper client adapter.
  FERRY_ERR_ZK_CONNECT_TIMEOUT: spec({
    message: 'could not connect to ZooKeeper at {connectString} within {timeoutMs} ms',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Check that the ZooKeeper servers are running and reachable from this host.',
  }),
  FERRY_ERR_ZK_OPERATION: spec({
    message: 'ZooKeeper {operation} {path} failed: {detail}',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Usually transient (connection loss); if it persists check the ensemble with `echo srvr | nc host port`.',
  }),
  FERRY_ERR_ZK_NO_NODE: spec({
    message: 'ZooKeeper node {path} does not exist',
    scope: 'coordination', retryable: false, http: 404,
    workaround: 'The object was deleted or never created; list what exists and use one of those.',
  }),
  FERRY_ERR_ZK_NODE_EXISTS: spec({
    message: 'ZooKeeper node {path} already exists',
    scope: 'coordination', retryable: false, http: 409,
    workaround: 'Another writer created it first; read it and decide again.',
  }),
  FERRY_ERR_ZK_BAD_VERSION: spec({
    message: 'ZooKeeper node {path} changed since it was read (expected version {version})',
    scope: 'coordination', retryable: false, http: 409,
    workaround: 'Someone else edited it at the same time: read it again, reapply your change, and retry.',
  }),
  FERRY_ERR_ZK_NOT_EMPTY: spec({
    message: 'ZooKeeper node {path} still has children',
    scope: 'coordination', retryable: false, http: 409,
    workaround: 'Delete what lies below it first.',
  }),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
