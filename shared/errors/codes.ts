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

  // The chaos suite (chaos/, docs/chaos.md).
  FERRY_ERR_CHAOS_NOT_REPLICATING: spec({
    message: 'the chaos cluster did not replicate within {seconds} s of its start; logs in {logDir}',
    scope: 'environment', retryable: true, http: 500,
    workaround: 'Run again with --keep and read the node and manager logs in the folder named; nothing was left running.',
  }),
  FERRY_ERR_CHAOS_INTERRUPTED: spec({
    message: 'the chaos run was interrupted before its check',
    scope: 'environment', retryable: true, http: 500,
    workaround: 'Nothing to do: every process it started was stopped. Run it again to get a report.',
  }),
  FERRY_ERR_CHAOS_NODE_FULL: spec({
    message: 'node {node}, reported full, {detail}',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'A bug in the cluster: a full node must show as full and keep what it runs and get nothing new, also when a RESTART places its pipeline again (manager/scheduler/eligibility.ts). Run again with --keep and read the manager logs.',
  }),
  FERRY_ERR_CHAOS_SWITCH: spec({
    message: 'the source group\'s switchover failed at "{step}": {detail}',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'Run again with --keep: the MariaDB error logs (db1, db3) say why a replica stopped; the node logs whether Ferry still read the old master; GET /api/v1/datasources/chaos-source/switch-readiness why a switch was refused.',
  }),
  FERRY_ERR_CHAOS_WAN_UNNOTICED: spec({
    message: 'a WAN {fault} of {seconds} s left pipeline {pipeline} at epoch {epoch}, its channel {status} (by {statusBy}): no RESTART placed it again',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'A bug in the cluster: a cut or dark link must end the session on both sides within the liveness bound (node/pipe/README.md, Liveness) and the arbiter must RESTART the pipeline. A channel PAUSEd by a node means it counted too many failures in a row (node/cluster/failure-escalator.ts). Run again with --keep and read the node logs.',
  }),

  // Configuration files and pipeline specs.
  FERRY_ERR_CONFIG_FILE: spec({
    message: 'cannot read configuration file {path}: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Check that the file exists, is readable and is valid YAML or JSON.',
  }),

  // Secrets at rest: the key file and sealed passwords (shared/secrets).
  FERRY_ERR_SECRET_KEY_FILE: spec({
    message: 'the secret key file {path} cannot be used: {detail}',
    scope: 'config', retryable: false, http: 500,
    workaround: 'The file (FERRY_SECRET_KEY_FILE or --secret-key-file) holds one key per line, 32 random bytes in base64, and only its owner may read it (chmod 600). Make one with `bin/ferry secrets new-key FILE`; README.md (Secrets at rest) explains rotation.',
  }),
  FERRY_ERR_SECRET_NO_KEY: spec({
    message: '{holder} has no secret key to {action} {what}',
    scope: 'config', retryable: false, http: 503,
    workaround: 'Start managers and nodes with the cluster\'s key file: --secret-key-file FILE or FERRY_SECRET_KEY_FILE. Ferry never stores a password in clear, and cannot use one it cannot open.',
  }),
  FERRY_ERR_SECRET_UNKNOWN_KEY: spec({
    message: '{what} is sealed with key {keyId}, which the key file {path} does not hold (it holds {held})',
    scope: 'config', retryable: false, http: 500,
    workaround: 'Put that key back into the key file (the file is read again when it changes): a key may leave the file only after `bin/ferry secrets rotate` sealed everything under the first key. If the key is lost, enter the password again (PUT /api/v1/datasources/<groupKey> with "password").',
  }),
  FERRY_ERR_SECRET_UNREADABLE: spec({
    message: '{what} cannot be decrypted: {detail}',
    scope: 'config', retryable: false, http: 500,
    workaround: 'The stored value was changed or damaged outside Ferry: enter the password again (PUT /api/v1/datasources/<groupKey> with "password"), and check who can write to ZooKeeper.',
  }),
  FERRY_ERR_PASSWORD_SOURCE: spec({
    message: 'cannot read the password: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Set the environment variable named by --source-password-env / --target-password-env (or passwordEnv), or make the file of --source-password-file / --target-password-file readable by the user Ferry runs as.',
  }),

  // Databases: reaching them.
  FERRY_ERR_SOURCE_UNREACHABLE: spec({
    message: 'cannot connect to the source database {endpoint}: {detail}',
    scope: 'upstream', retryable: true, http: 503,
    workaround: 'Check that the source server runs and that host and port are right; Ferry retries on its own while it runs.',
  }),
  FERRY_ERR_TLS_FILE_UNREADABLE: spec({
    message: 'the {what} file {file} of the {side} cannot be read: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Check the path (ssl-ca, ssl-cert, ssl-key of a MySQL endpoint; --tls-cert, --tls-key of a manager; --ca or FERRY_CA_FILE) and that the user Ferry runs as may read the file; files are read once, when the pipeline or the process starts.',
  }),
  FERRY_ERR_TLS_FILE_INVALID: spec({
    message: 'the TLS files of the {side} cannot be used: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Give PEM files: the certificate (with its intermediates, not expired), the unencrypted private key that belongs to it, and a CA file with at least one certificate. `openssl x509 -in FILE -noout -text` shows a certificate; a key belongs to it when `openssl x509 -noout -pubkey -in CERT` and `openssl pkey -pubout -in KEY` print the same.',
  }),
  FERRY_ERR_TLS_REFUSED: spec({
    message: 'TLS to the {side} {endpoint} failed under ssl-mode {mode}: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'VERIFY_CA: give the CA that signed the server certificate in ssl-ca. VERIFY_IDENTITY: connect by a name or address the certificate lists (subjectAltName). A server without TLS: configure its ssl-ca, ssl-cert and ssl-key, or choose another ssl-mode.',
  }),
  FERRY_ERR_HOST_NOT_FOUND: spec({
    message: 'the {side} host {endpoint} does not resolve to an address: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Check the host name (a typo, or a name this machine cannot resolve). Raised only before a pipeline first connected; afterwards an unresolvable host is retried like any lost connection.',
  }),
  FERRY_ERR_SOURCE_ACCESS_DENIED: spec({
    message: 'the source database {endpoint} refused user {user}: {detail}',
    scope: 'upstream', retryable: false, http: 400,
    workaround: 'Check the user name and password of the source; the user needs REPLICATION SLAVE, BINLOG MONITOR (REPLICATION CLIENT on MySQL) and SELECT.',
  }),
  FERRY_ERR_TARGET_UNREACHABLE: spec({
    message: 'cannot connect to the target database {endpoint}: {detail}',
    scope: 'downstream', retryable: true, http: 503,
    workaround: 'Check that the target server runs and that host and port are right; Ferry retries on its own while it runs.',
  }),
  FERRY_ERR_SOURCE_SILENT: spec({
    message: 'the source {endpoint} sent nothing for {silentMs} ms (neither an event nor a heartbeat): the connection is taken as broken',
    scope: 'upstream', retryable: true, http: 503,
    workaround: 'A network path that drops packets without closing the connection (a firewall, a dead switch) or an overloaded source; Ferry reconnects from the checkpoint on its own. Raise liveness.sourceSilenceMs if the source is merely slow to answer.',
  }),
  FERRY_ERR_TARGET_STATEMENT_TIMEOUT: spec({
    message: 'a statement on the target {endpoint} got no answer within {timeoutMs} ms: the connection was closed and the batch is retried',
    scope: 'downstream', retryable: true, http: 503,
    workaround: 'A network path that drops packets without closing the connection, or a target that is stalled; Ferry retries from the checkpoint on its own. Raise liveness.targetStatementMs if batches legitimately take that long (long lock waits).',
  }),
  FERRY_ERR_TARGET_ACCESS_DENIED: spec({
    message: 'the target database {endpoint} refused user {user}: {detail}',
    scope: 'downstream', retryable: false, http: 400,
    workaround: 'Check the user name and password of the target; the user needs INSERT, UPDATE, DELETE and SELECT on the mapped tables, and CREATE on the Ferry system schema.',
  }),

  // Prechecks and the source binlog.
  FERRY_ERR_VERIFY_TABLE: spec({
    message: 'cannot verify {table}: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Verify compares tables by a key and the columns the table rules keep: give the table a primary key (or a unique key of NOT NULL columns) and create the target table with every column the rules map (the same definition as the source\'s), or leave the table out of --tables.',
  }),
  FERRY_ERR_VERIFY_NOT_ASSIGNED: spec({
    message: 'no node holds pipeline {pipeline}: nothing can verify it',
    scope: 'coordination', retryable: false, http: 409,
    workaround: 'Verify runs on the node that holds the pipeline\'s load side (or the whole pipeline): start the channel, or wait until the scheduler placed it (GET /api/v1/channels/{name} shows each pipeline\'s node), then ask again.',
  }),
  FERRY_ERR_VERIFY_NODE_LOST: spec({
    message: 'node {node} that was verifying pipeline {pipeline} is gone',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'The node stopped or lost its ZooKeeper session before it wrote the result; once the pipeline runs on a live node again, start another verify job.',
  }),
  FERRY_ERR_VERIFY_NOT_HERE: spec({
    message: 'node {node} does not hold pipeline {pipeline} any more',
    scope: 'coordination', retryable: true, http: 409,
    workaround: 'The pipeline moved to another node between the request and its run; start another verify job.',
  }),
  FERRY_ERR_VERIFY_NO_PIPE: spec({
    message: 'the select side of split pipeline {pipeline} is not connected to this node: {detail}',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'A split pipeline is verified through its pipe (the source\'s figures come from the select node): wait until the pipeline streams (its select side connected), then start another verify job.',
  }),
  FERRY_ERR_PRECHECK_FAILED: spec({
    message: 'prechecks failed: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Fix each failed check as its instruction says; a check you know to be safe can be skipped by id (skipPrechecks in the pipeline file, --skip-precheck on the command line).',
  }),
  FERRY_ERR_FLAVOR_UNTESTED: spec({
    message: 'untested database server: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Ferry is tested against MariaDB 10.11 only; MySQL 8 has never been tried. To run against another server at your own risk, skip the precheck by id: skipPrechecks: [tested_flavor] in the pipeline file, --skip-precheck tested_flavor on the command line; then compare source and target tables after a trial.',
  }),
  FERRY_ERR_COPY_UNSUPPORTED: spec({
    message: 'the online copy cannot run on this source: {detail}',
    scope: 'upstream', retryable: false, http: 400,
    workaround: 'The online copy (initialCopy, onPurgedBinlog: resync) pins its start with START TRANSACTION WITH CONSISTENT SNAPSHOT and binlog_snapshot_file/position, which MariaDB sources with log_bin on have. Copy the tables by hand (mariadb-dump --single-transaction --master-data) and start the pipeline with --from instead.',
  }),
  FERRY_ERR_TABLE_NO_KEY: spec({
    message: 'table {table} has no primary key and no unique key over NOT NULL columns',
    scope: 'upstream', retryable: false, http: 400,
    workaround: 'Add a primary key to the table, or leave it out of the pipeline: without a key a change cannot be applied exactly once.',
  }),
  FERRY_ERR_MAPPING_DROPS_KEY: spec({
    message: 'the table rule for {table} leaves out the target key ({key}): {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Keep every column of the target key, or of one of its unique keys over NOT NULL columns, in the table rule (columns.include / columns.exclude, or rename it to the target\'s column), or give the target table a key the rule keeps: a row without its key cannot be found again to update or delete.',
  }),
  FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE: spec({
    message: 'the target key of {table} ({key}) does not identify a source row: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Give the target table a key made of the columns of a source key (its primary key, or a unique key over NOT NULL columns), with no shorter prefix, text compared under the source collation (or a binary one) and as many fractional digits, and send one source table into each target table: otherwise two source rows fall on one target row and one of them is overwritten.',
  }),
  FERRY_ERR_BINLOG_PURGED: spec({
    message: 'the source no longer holds the binlog at {position}: {detail}',
    scope: 'upstream', retryable: false, http: 409,
    workaround: 'Rows between the checkpoint and the oldest binlog are lost to replication: re-copy the tables (full sync) and start the pipeline again from the current position, and keep binlogs longer (binlog_expire_logs_seconds).',
  }),
  FERRY_ERR_BINLOG_READ: spec({
    message: 'reading the source binlog failed: {detail}',
    scope: 'upstream', retryable: true, http: 503,
    workaround: 'Usually a dropped connection or a restarting source; Ferry reconnects with back-off. If it persists, check the source error log.',
  }),
  FERRY_ERR_BINLOG_STOPPED: spec({
    message: 'the binlog reader of {host}:{port} was stopped before its stream opened',
    scope: 'internal', retryable: true, http: 409,
    workaround: 'Nothing to do: the pipeline was stopped or aborted while it connected to the source; it starts again from the target checkpoint when it runs next.',
  }),
  FERRY_ERR_BINLOG_BAD_POSITION: spec({
    message: 'the source cannot stream from {position}: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'A file:offset start must point at the start of an event (a position from SHOW MASTER STATUS or SHOW BINLOG EVENTS); prefer a GTID set.',
  }),
  FERRY_ERR_BINLOG_UNSUPPORTED: spec({
    message: 'unsupported binlog content at {position}: {detail}',
    scope: 'upstream', retryable: false, http: 500,
    workaround: 'The source wrote an event Ferry cannot replicate safely; the message names it. Check binlog_format=ROW and binlog_row_image=FULL on the source.',
  }),
  FERRY_ERR_BINLOG_TRANSACTION: spec({
    message: 'cannot assemble the source transaction at {position} exactly: {detail}',
    scope: 'upstream', retryable: false, http: 500,
    workaround: 'The binlog holds a transaction whose rows Ferry cannot tell kept from dropped (the message names the event); sessions that still log in STATEMENT or MIXED format after binlog_format was changed write such transactions, so reconnect them. To go on: make the target tables the transaction touches equal to the source by hand, delete the pipeline\'s row in _ferry.checkpoints on the target and start it with from set to the position after the transaction.',
  }),
  FERRY_ERR_BINLOG_XA: spec({
    message: 'two-phase XA transaction at {position}: {detail}',
    scope: 'upstream', retryable: false, http: 500,
    workaround: 'Ferry does not replicate XA transactions that are prepared and committed in two steps (XA PREPARE, later XA COMMIT): their rows commit under a later GTID than they are logged with. Commit with XA COMMIT ... ONE PHASE (logged as an ordinary transaction) or use plain transactions. To go on: apply the XA transaction to the target by hand, delete the pipeline\'s row in _ferry.checkpoints on the target and start it with from set to the position after the XA COMMIT.',
  }),
  FERRY_ERR_VALUE_UNSUPPORTED: spec({
    message: 'cannot convert the value of column {column} ({columnType}) in {table}: {detail}',
    scope: 'upstream', retryable: false, http: 500,
    workaround: 'The column type is not supported yet; leave the column out with a column exclude, or report it.',
  }),

  // The node-to-node pipe's payloads (shared/pipe): what the select side sends the load side.
  FERRY_ERR_PIPE_WIRE_VERSION: spec({
    message: 'a pipe payload has wire format version {version}; this node reads version(s) {supported}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'The select and load nodes of a pipeline run Ferry versions with different pipe formats: upgrade (or downgrade) them to the same version; the pipeline resumes from the target checkpoint.',
  }),
  FERRY_ERR_PIPE_WIRE_CORRUPT: spec({
    message: 'a pipe payload is corrupt: {detail}',
    scope: 'environment', retryable: true, http: 500,
    workaround: 'Nothing was applied from it: the connection is dropped and the select side resends from the target checkpoint. If it repeats, look for something on the path that alters bytes (a proxy; use --pipe-tls-* to rule it out) and check that both nodes run the same Ferry version.',
  }),
  FERRY_ERR_PIPE_WIRE_VALUE: spec({
    message: 'cannot encode a row value for the pipe: {detail}',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'This is a bug in Ferry: the binlog decoder produced a value the pipe format does not carry. Report it with the log lines around it and the column type.',
  }),

  // Loading into the target.
  FERRY_ERR_APPLY_FAILED: spec({
    message: 'cannot apply {kind} to {table} key {key}: {detail}',
    scope: 'downstream', retryable: false, http: 500,
    workaround: 'Fix the target row or table (the message names them) and start the pipeline again; or set errorPolicy: skip to record and skip rows that cannot be applied.',
  }),
  FERRY_ERR_REPLAY_REFUSED: spec({
    message: 'the target refuses the source\'s row events (binlogReplay: require): {detail}',
    scope: 'downstream', retryable: false, http: 500,
    workaround: "On MariaDB grant the pipeline's target user BINLOG REPLAY (GRANT BINLOG REPLAY ON *.* TO ...); source and target must be the same flavour (MariaDB to MariaDB). Or set binlogReplay: auto, which writes SQL where the target refuses, or off.",
  }),
  FERRY_ERR_CONFLICT: spec({
    message: 'pipeline {pipeline} stopped on {count} conflict(s) (conflicts: stop), the first in {table} key {key} ({kind}) at {position}',
    scope: 'downstream', retryable: false, http: 409,
    workaround: "Both versions are in the target's <systemSchema>.conflicts (SELECT * FROM _ferry.conflicts WHERE pipeline = '<name>' ORDER BY id DESC). Decide which is right and make the target's row the source's version (its `incoming` image; delete the row if that is null): a row that already holds the change's result is no conflict, so the pipeline then goes on when started again. To keep the target's version instead, write it again on the target after the pipeline passed the change, so that it replicates back.",
  }),
  FERRY_ERR_TARGET_WRITE: spec({
    message: 'writing to the target failed: {detail}',
    scope: 'downstream', retryable: true, http: 503,
    workaround: 'Usually transient (connection loss, lock wait, deadlock); Ferry retries with back-off.',
  }),
  FERRY_ERR_CHECKPOINT_MISSING: spec({
    message: 'pipeline {pipeline} ran against this target before ({evidence}), but the target holds no checkpoint of it: starting at the binlog end would skip every change since it last applied (last position known: {lastKnown})',
    scope: 'downstream', retryable: false, http: 409,
    workaround: 'The checkpoint row or the system schema was removed (a drop, a restore from an older dump, a different target). Choose where the pipeline starts: `from` (`--from`) at the last position known, or earlier (changes already applied are applied again); `initialCopy` to copy the tables again; or `from: end` (`--from end`) to accept the binlog end and the gap deliberately, on a target that is genuinely new. `from` counts only while no checkpoint exists: remove it once the pipeline runs.',
  }),
  FERRY_ERR_FENCED: spec({
    message: 'pipeline {pipeline} is owned by {owner} at epoch {current}; this process ({me}) holds epoch {mine}',
    scope: 'coordination', retryable: false, http: 409,
    workaround: 'Another node or process took over the pipeline; this one stops. Nothing to do after a failover. A cluster node whose assignment epoch is below the fence (ZooKeeper rebuilt) raises the epoch by itself; otherwise look for a second `bin/ferry run` or node running the same pipeline name against this target.',
  }),
  FERRY_ERR_PIPELINE_RUNNING: spec({
    message: 'pipeline {pipeline} already runs against target {target}: another live process holds its lock {lock} (connection {holder})',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Only one process may run a pipeline. Stop the other `bin/ferry run` of this name (the target lists it: SELECT * FROM information_schema.PROCESSLIST WHERE ID = <connection>), or give this one another --name.',
  }),
  FERRY_ERR_SOURCE_IS_TARGET: spec({
    message: 'pipeline {pipeline}: source {source} and target {target} are the same server ({identity})',
    scope: 'config', retryable: false, http: 400,
    workaround: 'A pipeline onto its own source would replicate its own checkpoint writes forever. Point the target (or the data source it names) at another server.',
  }),
  FERRY_ERR_DDL_NOT_ALLOWED: spec({
    message: 'DDL on a replicated table at {position}: {sql}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Apply the same change to the target by hand, then run once with --ddl ignore (ddl: ignore) to step over the statement; or set ddl: apply to let Ferry apply DDL.',
  }),
  FERRY_ERR_DDL_UNSUPPORTED: spec({
    message: 'a statement at {position} may change replicated table {table} and Ferry cannot replicate it ({reason}): {sql}',
    scope: 'upstream', retryable: false, http: 409,
    workaround: 'Make the same change on the target by hand (for a row change logged as a statement, compare the table on both sides; keep binlog_format=ROW in every session of the source), then run once with --ddl ignore (ddl: ignore) to step over the statement.',
  }),
  FERRY_ERR_DDL_SWAP_IN: spec({
    message: 'RENAME at {position} puts {from}, which the pipeline does not replicate, in place of replicated table {table} (the cut-over of an online schema change): {sql}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'The target table still has every row (each change to it was replicated) under its old definition: apply to it by hand the ALTER the tool ran on its shadow table, then run once with --ddl ignore to step over the RENAME. To have such cut-overs applied as they happen, replicate the shadow tables too (a rule such as db.* covers _t_gho and _t_new) with ddl: apply.',
  }),
  FERRY_ERR_DDL_APPLY_FAILED: spec({
    message: 'applying DDL to the target failed at {position}: {sql}: {detail}',
    scope: 'downstream', retryable: false, http: 500,
    workaround: 'Apply the statement to the target by hand (adapting it if needed), then run once with --ddl ignore to step over it.',
  }),
  FERRY_ERR_DDL_NOT_PRIMARY: spec({
    message: 'DDL on replicated table {table} at {position}, read by {pipeline}, the non-primary direction of a bidirectional pair: {sql}',
    scope: 'config', retryable: false, http: 409,
    workaround: "In a bidirectional channel DDL runs on the primary master only (the source of the pipeline with primary: true) and reaches the other master from there, once. To go on: make the table the same on both masters by hand (revert the change on this pipeline's source, or make it on its target too), then run this pipeline once with --ddl ignore (ddl: ignore) to step over the statement; from then on run DDL on the primary.",
  }),

  // ZooKeeper client adapter.
  FERRY_ERR_ZK_CONNECT_TIMEOUT: spec({
    message: 'could not connect to ZooKeeper at {connectString} within {timeoutMs} ms',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Check that the ZooKeeper servers are running and reachable from this host.',
  }),
  FERRY_ERR_ZK_TLS_REFUSED: spec({
    message: 'TLS to ZooKeeper {server} was refused: {detail}',
    scope: 'config', retryable: false, http: 503,
    workaround: 'Check that --zk names secureClientPorts, that --zk-tls-ca is the CA that signed the ZooKeeper servers\' certificates, that each certificate lists the host or address given in --zk (subjectAltName), and, when ZooKeeper sets ssl.clientAuth=need, that --zk-tls-cert and --zk-tls-key hold a certificate its trust store accepts.',
  }),
  FERRY_ERR_ZK_SLOW: spec({
    message: 'ZooKeeper did not answer {what} within {ms} ms',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Usually a lost connection being re-established; Ferry goes on or retries by itself. If it persists, check the ensemble and the network to it.',
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
  FERRY_ERR_ZK_NO_AUTH: spec({
    message: 'ZooKeeper refused {operation} on {path}: the ACL does not allow this identity ({identity})',
    scope: 'coordination', retryable: false, http: 503,
    workaround: 'The credentials are wrong, or the tree belongs to other credentials. Give managers FERRY_ZK_AUTH (or --zk-auth-file) and nodes FERRY_ZK_NODE_AUTH (or --zk-node-auth-file) with the user:password the tree was created with; a manager holding them sets every znode\'s ACL when it starts.',
  }),
  FERRY_ERR_ZK_AUTH_MISSING: spec({
    message: 'no ZooKeeper credentials: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Set FERRY_ZK_AUTH=user:password (managers; FERRY_ZK_NODE_AUTH for the nodes\' own identity) or point --zk-auth-file at a file holding user:password. Only on a trusted network, --zk-insecure runs without: then anyone who reaches ZooKeeper can read and change the whole cluster.',
  }),
  FERRY_ERR_ZK_AUTH_INVALID: spec({
    message: 'bad ZooKeeper credentials in {source}: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Give user:password: a user without \':\' or spaces, a non-empty password (it may hold \':\'); a file holds that one line.',
  }),
  FERRY_ERR_ZK_LAYOUT_MISSING: spec({
    message: 'no Ferry layout closed by ACLs in ZooKeeper yet ({path} is {state}); a node with credentials waits for a manager to create or migrate it',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Start a manager with FERRY_ZK_AUTH on the same connect string and chroot: it creates the layout, or sets the ACLs of a tree made before them. The node retries meanwhile.',
  }),

  // The node-to-node pipe between a pipeline's select side and its load side (node/pipe).
  FERRY_ERR_PIPE_LISTEN: spec({
    message: 'the pipe cannot listen on {host}:{port}: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Another process holds the port, or the address is not this host\'s: stop that process or give another --pipe-listen.',
  }),
  FERRY_ERR_PIPE_CONNECT: spec({
    message: 'cannot reach the pipe of {peer}: {detail}',
    scope: 'environment', retryable: true, http: 503,
    workaround: 'Check that the load node runs with --pipe-listen, that the address it advertises (--pipe-advertise) is reachable from the select node, and that firewalls between the datacenters let the pipe port through.',
  }),
  FERRY_ERR_PIPE_TLS_REFUSED: spec({
    message: 'TLS on the pipe with {peer} failed: {detail}',
    scope: 'config', retryable: false, http: 503,
    workaround: 'Both nodes need --pipe-tls-cert and --pipe-tls-key of a certificate that lists the advertised address (subjectAltName), and --pipe-ca naming the CA that signed the other node\'s certificate; with --pipe-ca on the load node, the select node must present a certificate that CA signed (mutual TLS). TLS on one side only also fails here.',
  }),
  FERRY_ERR_PIPE_FRAME_TOO_LARGE: spec({
    message: 'the pipe peer {peer} announced a frame of {bytes} bytes, above the limit of {limit} bytes: disconnected',
    scope: 'environment', retryable: false, http: 502,
    workaround: 'Before authentication only small frames are read; afterwards a batch may not exceed the load node\'s batch limit. Something other than a Ferry node of the same version is talking to the pipe port: check what connects to it.',
  }),
  FERRY_ERR_PIPE_PROTOCOL: spec({
    message: 'the pipe peer {peer} broke the protocol: {detail}',
    scope: 'internal', retryable: true, http: 502,
    workaround: 'Both nodes must run the same Ferry version; if they do, this is a bug: report it with the log lines of both nodes. The pipeline restarts from the target checkpoint.',
  }),
  FERRY_ERR_PIPE_AUTH_FAILED: spec({
    message: 'the {side} did not prove the assignment secret of pipeline {pipeline} epoch {epoch} (pipe {peer})',
    scope: 'config', retryable: true, http: 403,
    workaround: 'Both sides of a pipeline take the secret from the assignments the leader wrote; a mismatch means one side holds an older assignment (it follows the newer one shortly) or something else is answering on the pipe address. If it persists, check what listens at the load node\'s advertised address.',
  }),
  FERRY_ERR_PIPE_EPOCH_STALE: spec({
    message: 'the pipe {peer} holds epoch {heldEpoch} of pipeline {pipeline}, not {epoch}',
    scope: 'coordination', retryable: true, http: 409,
    workaround: 'Nothing, usually: one side still runs an older assignment of the pipeline and follows the newer one once ZooKeeper tells it. The side with the older epoch stops.',
  }),
  FERRY_ERR_PIPE_NOT_ASSIGNED: spec({
    message: 'pipeline {pipeline} epoch {epoch} is not assigned to the load node behind the pipe {peer}',
    scope: 'coordination', retryable: true, http: 404,
    workaround: 'Nothing, usually: the load node has not seen its assignment yet, or the pipeline moved. If it persists, check that the pipe address of the load node is not shared with another node.',
  }),
  FERRY_ERR_PIPE_SILENT: spec({
    message: 'the pipe with {peer} heard nothing for {silentMs} ms (bound {boundMs} ms) {phase}: the link is cut or half-open',
    scope: 'environment', retryable: true, http: 503,
    workaround: 'Nothing to do for the data: the pipeline rolls back and restarts from the target checkpoint. If it repeats, check the network between the datacenters (a firewall dropping idle state, a flapping route). Silent while connecting, every time: the load node may serve TLS (--pipe-tls-cert) to a select node that has no TLS flags.',
  }),
  FERRY_ERR_PIPE_CLOSED: spec({
    message: 'the pipe with {peer} closed: {detail}',
    scope: 'environment', retryable: true, http: 503,
    workaround: 'Nothing to do for the data: the pipeline rolls back and restarts from the target checkpoint. If the other node did not stop, check the network between them.',
  }),
  FERRY_ERR_PIPE_PEER_FAILED: spec({
    message: 'the pipe peer {peer} gave up with {peerCode}: {detail}',
    scope: 'environment', retryable: true, http: 502,
    workaround: 'Read the other node\'s log for that code; the pipeline restarts from the target checkpoint.',
  }),
  FERRY_ERR_PIPE_SUPERSEDED: spec({
    message: 'a newer connection for pipeline {pipeline} (epoch {epoch}) replaced this one from {peer}',
    scope: 'coordination', retryable: true, http: 409,
    workaround: 'Nothing: the select side reconnected (after a cut, or under a newer assignment) and the load side follows the newest connection.',
  }),
  FERRY_ERR_PIPE_BATCH_TOO_LARGE: spec({
    message: 'a batch of {bytes} bytes exceeds the pipe\'s batch limit of {limit} bytes',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'This is a bug in Ferry: larger transactions must cross the pipe in pieces. Report it with the log lines around it.',
  }),

  // The cluster: configuration store, REST API, managers and nodes.
  FERRY_ERR_API_BAD_REQUEST: spec({
    message: 'bad request: {detail}',
    scope: 'config', retryable: false, http: 400,
    workaround: 'Fix every field listed in details.errors; GET /api/v1/openapi.json documents each one.',
  }),
  FERRY_ERR_API_UNAUTHORIZED: spec({
    message: 'missing or unknown API token',
    scope: 'config', retryable: false, http: 401,
    workaround: 'Send `Authorization: Bearer <token>`; an admin creates tokens with POST /api/v1/tokens (the first admin token comes from --admin-token or FERRY_ADMIN_TOKEN).',
  }),
  FERRY_ERR_API_FORBIDDEN: spec({
    message: 'a {role} token may not {action}',
    scope: 'config', retryable: false, http: 403,
    workaround: 'Use a token with a role that allows it: viewer reads, operator also runs channels and switches data sources, admin also edits configuration and tokens.',
  }),
  FERRY_ERR_API_NOT_FOUND: spec({
    message: '{what} {name} does not exist',
    scope: 'config', retryable: false, http: 404,
    workaround: 'List what exists (GET on the collection) and use one of those names.',
  }),
  FERRY_ERR_API_CONFLICT: spec({
    message: '{what} {name}: {detail}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Someone else changed it at the same time or it already exists: read it again (GET), reapply your change and retry.',
  }),
  FERRY_ERR_API_RATE_LIMITED: spec({
    message: 'too many failed sign-ins from {address}: try again in {retryAfterSeconds} s',
    scope: 'config', retryable: true, http: 429,
    workaround: 'Wait for the Retry-After header\'s seconds and send a valid token; meanwhile the bootstrap admin token and tokens this manager accepted before still pass.',
  }),
  FERRY_ERR_API_NODE_TOKEN_UNBOUND: spec({
    message: 'node token {name} names no node',
    scope: 'config', retryable: false, http: 403,
    workaround: 'Node tokens are per node since node ids are checked: create one per node with POST /api/v1/tokens {"name": ..., "role": "node", "node": "<node id>"}, give it to that node (--token or FERRY_NODE_TOKEN) and delete the old token.',
  }),
  FERRY_ERR_API_NODE_MISMATCH: spec({
    message: 'the token of node {tokenNode} may not report for node {node}',
    scope: 'config', retryable: false, http: 403,
    workaround: 'Give each node the token created for its own id (--token or FERRY_NODE_TOKEN); a node token names exactly one node.',
  }),
  FERRY_ERR_API_ROUTE_UNGUARDED: spec({
    message: 'route {route} declares no action',
    scope: 'internal', retryable: false, http: 500,
    workaround: 'This is a bug in Ferry: every API route must declare config.action (a role action, or \'public\'). Report it.',
  }),
  // Configuration history and revert (manager/config/history*.ts, revert.ts).
  FERRY_ERR_HISTORY_VERSION_NOT_FOUND: spec({
    message: '{what} {name} has no version {version} in its configuration history',
    scope: 'config', retryable: false, http: 404,
    workaround: 'List the versions kept (GET .../history) and name one of them; versions beyond the retention (--history-versions, --history-days) are gone.',
  }),
  FERRY_ERR_HISTORY_NOT_REVERTIBLE: spec({
    message: 'version {version} of {what} {name} cannot be restored: {detail}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Revert to a version that holds a spec (not the one that records the deletion); GET .../history shows what each version changed.',
  }),
  FERRY_ERR_HISTORY_SECRET_UNAVAILABLE: spec({
    message: 'version {version} of data source {name} holds a password this manager cannot open: {detail}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Put the key that sealed it back into the key file (it is read again when it changes) and revert again; or revert with "keepPassword": true to keep the current password, and set another with PUT /api/v1/datasources/<groupKey> if needed.',
  }),
  FERRY_ERR_DATASOURCE_IN_USE: spec({
    message: 'data source {groupKey} is used by pipeline(s) {pipelines}',
    scope: 'config', retryable: false, http: 409,
    workaround: 'Delete or change the channels whose pipelines name this groupKey first.',
  }),
  FERRY_ERR_DATASOURCE_UNREACHABLE: spec({
    message: 'cannot check the {member} {endpoint} of data source {groupKey}: {detail}',
    scope: 'upstream', retryable: true, http: 503,
    workaround: 'Reported in the data source\'s health, measured by a node of its datacenter: check that the server runs, that host and port are right from that node, and that the data source\'s user may log in (SHOW SLAVE STATUS also needs REPLICATION CLIENT or SLAVE MONITOR). The node keeps measuring.',
  }),
  FERRY_ERR_SWITCH_NOT_READY: spec({
    message: 'the {to} of data source {groupKey} is not ready to become active: {detail}',
    scope: 'upstream', retryable: true, http: 409,
    workaround: 'GET /api/v1/datasources/<groupKey>/switch-readiness?to=<member> says what is missing: let the member catch up with the active one\'s GTID position (stop writes first), make it reachable, or start a node in the data source\'s datacenter to measure it. To switch anyway (the active member is lost), send "force": true with a reason.',
  }),
  FERRY_ERR_NODE_ID_TAKEN: spec({
    message: 'node id {id} is registered by another live process ({address})',
    scope: 'config', retryable: true, http: 409,
    workaround: 'Give each node its own --id; if the other process is gone, its registration disappears within the ZooKeeper session timeout.',
  }),
  FERRY_ERR_NODE_NO_CONFIG: spec({
    message: 'ZooKeeper is unreachable and there is no configuration cache in {cacheDir}',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Start the node once while ZooKeeper is reachable, or check --zk; the node keeps trying.',
  }),
  FERRY_ERR_NODE_CACHE: spec({
    message: 'the configuration cache {path} cannot be used: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Delete the file; the node writes it again from ZooKeeper.',
  }),
  FERRY_ERR_MANAGERS_UNREACHABLE: spec({
    message: 'no manager answered ({detail})',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Start a manager; nodes keep replicating meanwhile and send statistics again once one answers.',
  }),
  FERRY_ERR_API_TLS_REFUSED: spec({
    message: 'TLS to the manager {url} failed: {detail}',
    scope: 'config', retryable: false, http: 502,
    workaround: 'A manager with a private certificate: give the CA that signed it with --ca or FERRY_CA_FILE. A name mismatch: the certificate must list the host or address in the manager\'s URL (subjectAltName; a manager listening on 0.0.0.0 registers its host name). A protocol error: the URL says https but the manager serves plain HTTP, or the other way round. Nothing is sent to a manager whose certificate fails.',
  }),
  FERRY_ERR_CTL_UNREACHABLE: spec({
    message: 'no manager answered at {managers}: {detail}',
    scope: 'environment', retryable: true, http: 503,
    workaround: 'Give bin/ferry ctl a manager that runs: --manager URL (repeatable) or FERRY_MANAGER (comma-separated), the URL a manager prints at start (`manager <id> listening on <url>`); check that it answers GET /api/v1/health and that no firewall blocks its port. For https:// with a private CA add --ca FILE.',
  }),
  FERRY_ERR_CTL_BAD_ANSWER: spec({
    message: '{url} answered {status} with something that is not Ferry\'s API: {detail}',
    scope: 'environment', retryable: false, http: 502,
    workaround: 'Check that --manager (or FERRY_MANAGER) names a Ferry manager\'s API, not a proxy or another service, and that the manager is as new as this bin/ferry.',
  }),
  FERRY_ERR_MANAGER_ID_TAKEN: spec({
    message: 'manager id {id} is registered by another live process ({url})',
    scope: 'config', retryable: true, http: 409,
    workaround: 'Give each manager its own --id; if the other process is gone, its registration disappears within the ZooKeeper session timeout.',
  }),
  FERRY_ERR_AUDIT_FILE: spec({
    message: 'the audit file {path} cannot be appended to: {detail}',
    scope: 'config', retryable: false, http: 500,
    workaround: 'Give --audit-file a path in a directory the manager\'s user may write, of a regular file it may append to (it is created mode 0600 when missing), or leave the flag out: the audit log in ZooKeeper does not need it.',
  }),
  FERRY_ERR_MANAGER_LISTEN: spec({
    message: 'the manager API cannot listen on {host}:{port}: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Another process holds the port, or the address is not this host\'s: stop that process or give another --port (0 picks a free one) or --host.',
  }),
  FERRY_ERR_METRICS_LISTEN: spec({
    message: 'the metrics endpoint cannot listen on {host}:{port}: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Another process holds the port, or the address is not this host\'s: give another --metrics-port (0 picks a free one) or --metrics-host.',
  }),
  FERRY_ERR_WAN_PROXY_LISTEN: spec({
    message: 'the WAN proxy cannot listen on {address}: {detail}',
    scope: 'environment', retryable: false, http: 500,
    workaround: 'Another process holds the port, or the address is not this host\'s: give another --listen (port 0 picks a free one).',
  }),
  FERRY_ERR_LOCK_TIMEOUT: spec({
    message: 'lock {lock} not acquired by {owner} within {timeoutMs} ms: {holder} holds it',
    scope: 'coordination', retryable: true, http: 409,
    workaround: 'The holder named in the message is still working on this channel (or its process hangs): retry later; a dead holder loses the lock when its ZooKeeper session expires.',
  }),
  FERRY_ERR_LOCK_LOST: spec({
    message: 'lock {lock} of {owner} was lost: {detail}',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'The ZooKeeper session expired or the lock node was deleted, so the action under the lock did not finish; check the ZooKeeper connection and run it again.',
  }),
  FERRY_ERR_WEBHOOK_FAILED: spec({
    message: 'alarm webhook {url} failed after {attempts} attempt(s): {detail}',
    scope: 'environment', retryable: true, http: 502,
    workaround: 'Check the webhook URL in the manager configuration and that the receiver is up and answers 2xx within 3 s; the alarm itself is still recorded in ZooKeeper and the event log.',
  }),
  FERRY_ERR_CHANNEL_STOPPED: spec({
    message: 'channel {channel} is STOP: {action} has nothing to act on',
    scope: 'config', retryable: false, http: 409,
    workaround: 'ROLLBACK and RESTART act on a channel that runs or is paused; start the channel instead (POST /api/v1/channels/{name}/start).',
  }),
  FERRY_ERR_PIPELINE_ABORTED: spec({
    message: 'pipeline {pipeline} was aborted: its batches in flight rolled back',
    scope: 'coordination', retryable: true, http: 409,
    workaround: 'Nothing to do: a ROLLBACK or a lost ZooKeeper session aborted the pipeline on purpose; it resumes from the target checkpoint when it runs again.',
  }),
  FERRY_ERR_NODE_NO_SESSION: spec({
    message: 'node {node} has no ZooKeeper session now: {what} waits until it has one',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Nothing, usually: the node reconnects by itself. If it persists, check the network between the node and ZooKeeper.',
  }),
  FERRY_ERR_NODE_SESSION_LOST: spec({
    message: 'node {node} has not heard from ZooKeeper for {silentMs} ms (limit {limitMs} ms): it commits nothing until its session is confirmed',
    scope: 'coordination', retryable: true, http: 503,
    workaround: 'Check the network between the node and ZooKeeper. The node stopped its pipelines so that a successor can take them safely; they run again once its session is back, or on the node the leader picks.',
  }),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
