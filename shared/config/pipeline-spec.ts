import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FerryError } from '../errors/index.ts';
import { DEFAULT_SSL_MODE, SSL_MODES } from './mysql-tls.ts';
import { PRECHECK_IDS } from './precheck-ids.ts';
import { DEFAULT_PIPE_COMPRESSION, PIPE_COMPRESSION_PATTERN } from '../pipe/pipe-compression.ts';

/**
 * The pipeline spec: what a user writes (pipeline.yaml, `ferry run` flags, later the REST API
 * body). One TypeBox schema serves validation here and fastify routes later. Every field has a
 * description and its default; unknown keys are refused. Defaults that depend on other fields
 * (name, serverId) are computed by resolvePipeline (load-pipeline-config.ts), which turns a
 * spec into the frozen runtime form a node runs. docs/examples/pipeline.yaml shows every field.
 */

const strict = { additionalProperties: false } as const;

/** Defaults in one place: the schema annotations and the resolver both read them. */
export const PIPELINE_DEFAULTS = {
  description: '',
  port: 3306,
  password: '',
  batchMaxRows: 1000,
  batchMaxDelayMs: 20,
  /** 1 MiB of binlog row events: a batch of wide rows stays a few MB in memory. */
  batchMaxBytes: 1_048_576,
  parallel: 4,
  queueMaxRows: 20_000,
  /** 8 MiB of binlog row events: decoded, about three times that in memory (measured on 20-column rows). */
  queueMaxBytes: 8_388_608,
  ddl: 'stop',
  errorPolicy: 'stop',
  binlogReplay: 'auto',
  skipPrechecks: [] as string[],
  systemSchema: '_ferry',
  epoch: 0,
  retryInitialDelayMs: 1000,
  retryMaxDelayMs: 60_000,
  /** The source sends a heartbeat after this long without events: cheap, and silence shows fast. */
  heartbeatMs: 1000,
  /** Five heartbeat periods: a late or lost heartbeat, or a busy event loop, is no reconnect. */
  sourceSilenceMs: 5000,
  /** Far above anything a batch statement takes, lock waits included (innodb_lock_wait_timeout is 20 s). */
  targetStatementMs: 120_000,
  /** Measured on sysbench oltp_write_only: docs/benchmarks.md, "Pipe compression". */
  pipeCompression: DEFAULT_PIPE_COMPRESSION,
} as const;

/**
 * Most table rules a pipeline takes: a list of single tables for a large schema fits, and
 * validation (linear, but every rule is checked several times over) stays well under a second.
 */
export const TABLE_RULES_MAX = 10_000;

/** serverId default range: clear of the small ids DBAs give their own servers. */
export const SERVER_ID_RANGE = { min: 1_000_000, max: 4_000_000_000 } as const;

export const MysqlUrlString = Type.String({
  pattern: '^[Mm][Yy][Ss][Qq][Ll]://|^[Mm][Aa][Rr][Ii][Aa][Dd][Bb]://',
  description: 'Connection URL mysql://user:password@host:port, optionally ?ssl-mode=...&ssl-ca=FILE&ssl-cert=FILE&ssl-key=FILE as in the sslMode, sslCa, sslCert and sslKey fields (port defaults to 3306; percent-encode special characters in user and password; mariadb:// is an alias).',
  examples: ['mysql://repl:secret@db1.example.com:3306'],
});

export const EndpointObject = Type.Object({
  host: Type.String({ minLength: 1, description: 'Host name or IP address (IPv6 without brackets).' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: PIPELINE_DEFAULTS.port, description: 'TCP port. Default 3306.' }),
  user: Type.String({ minLength: 1, description: 'User Ferry logs in as.' }),
  password: Type.String({ default: PIPELINE_DEFAULTS.password, description: "Password of that user. Default '' (none). Never logged or shown in errors." }),
  passwordEnv: Type.Optional(Type.String({
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    description: 'Name of an environment variable that holds the password, to keep it out of files and process lists; replaces password. Default: none.',
  })),
  sslMode: Type.Optional(Type.Union(SSL_MODES.map((m) => Type.Literal(m)), {
    description: `TLS as MySQL's --ssl-mode: DISABLED (none), PREFERRED (TLS when the server offers it, else plain with a warning; can be downgraded by anyone on the path), REQUIRED (TLS, certificate not checked), VERIFY_CA (also the chain, against sslCa), VERIFY_IDENTITY (also the host name). Default ${DEFAULT_SSL_MODE}, or VERIFY_CA when sslCa is given (as in MySQL).`,
  })),
  sslCa: Type.Optional(Type.String({ minLength: 1, description: "PEM file of the CA(s) that sign the server's certificate (relative paths: to the pipeline file). Default: none (VERIFY_* then use the system's CAs)." })),
  sslCert: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of a client certificate, for users created REQUIRE X509; give sslKey with it. Default: none.' })),
  sslKey: Type.Optional(Type.String({ minLength: 1, description: "PEM file of the client certificate's private key. Default: none." })),
}, { ...strict, description: 'A database server given field by field.' });

export const Endpoint = Type.Union([MysqlUrlString, EndpointObject], {
  description: 'A database server: a mysql://user:password@host:port[?ssl-mode=...] URL or an object {host, port, user, password | passwordEnv, sslMode, sslCa, sslCert, sslKey}.',
});

export const ColumnsSpec = Type.Object({
  include: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    minItems: 1,
    description: 'Replicate only these columns (names compare case-insensitively, as MySQL does). Default: every column. Keep the primary key columns in the list.',
  })),
  exclude: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    minItems: 1,
    description: 'Replicate every column but these. Default: none excluded. Give include or exclude, not both.',
  })),
  rename: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ minLength: 1, maxLength: 64 }), {
    description: 'Source column name -> target column name. Default: names are kept.',
  })),
}, { ...strict, description: 'Which columns of the matched tables go to the target, and under which names. Default: all, unrenamed.' });

export const TableRuleObject = Type.Object({
  source: Type.String({
    description: "Source 'schema.table'; either part may be a pattern where * matches any run of characters and ? one character ('db.*', 'db.order_*', 'shard_?.orders'). Case-sensitive.",
  }),
  target: Type.Optional(Type.String({
    description: "Target 'schema.table'. * in a part keeps the source name: 'otherdb.*' renames only the schema, '*.orders_copy' only the table. A source whose table part is a pattern needs a target table of *. Default: same schema and table as the source.",
  })),
  columns: Type.Optional(ColumnsSpec),
}, { ...strict, description: 'One table mapping rule.' });

export const TableRule = Type.Union([
  Type.String({ description: "Shorthand for { source: '<this>' }: 'schema.table' or a pattern like 'db.*'." }),
  TableRuleObject,
], { description: "A table mapping rule: 'schema.table' / pattern, or { source, target?, columns? }." });

export const PipelineSpec = Type.Object({
  name: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    description: "Pipeline name: letters, digits, '_', '.', '-', at most 64, starting with a letter or digit. Keys the checkpoint in the target, so keep it once replication started. Default: derived from source and target, '<host>-<port>-to-<host>-<port>' (give a name when two pipelines run between the same servers).",
  })),
  description: Type.String({ maxLength: 500, default: PIPELINE_DEFAULTS.description, description: "Free text for operators. Default ''." }),
  source: Endpoint,
  target: Endpoint,
  tables: Type.Array(TableRule, {
    minItems: 1,
    maxItems: TABLE_RULES_MAX,
    description: `Which tables to replicate and where to. A table goes by the first rule that matches it; tables no rule matches are not replicated. The system schemas (mysql, information_schema, performance_schema, sys and systemSchema) never are. Names hold letters, digits, '_', '$', '-' and the wildcards * and ?. At most ${TABLE_RULES_MAX} rules. Required.`,
  }),
  from: Type.Optional(Type.String({
    minLength: 1,
    description: "Where a new pipeline starts reading the source binlog: a GTID set, MariaDB '0-1-100,1-1-5' or MySQL '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10' (optionally prefixed 'gtid:'), or 'file:position' such as 'mysql-bin.000003:4', or 'end' for the source's binlog end (the default for a new pipeline; given explicitly, it also lets a pipeline whose checkpoint vanished from the target start there, FERRY_ERR_CHECKPOINT_MISSING). Used only while the target holds no checkpoint of this pipeline; once one exists, the pipeline always resumes from it (and logs that `from` is ignored). Default: the source's current position.",
  })),
  initialCopy: Type.Boolean({
    default: false,
    description: "A new pipeline first copies the rows its tables already hold on the source, online (primary-key chunks, no table lock, no long transaction), then streams the binlog from the point the copy was pinned to, so the target ends exact however the source was written meanwhile. A copy cut short resumes after its last committed chunk. Only a pipeline without a checkpoint copies. Not with from. MariaDB sources. Default false.",
  }),
  onPurgedBinlog: Type.Union([Type.Literal('stop'), Type.Literal('resync')], {
    default: 'stop',
    description: "The source no longer holds the binlog at the pipeline's checkpoint: 'stop' halts with FERRY_ERR_BINLOG_PURGED for a person to act; 'resync' copies every table again online (as initialCopy does), deletes target rows the source no longer has, and streams on. Default 'stop'.",
  }),
  bidirectional: Type.Optional(Type.Object({
    mirror: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
      description: "Name of the opposite pipeline (this pipeline's target to its source). Transactions it applied to this pipeline's source carry its mark (its checkpoint row, or /* ferry:<mirror> */ on DDL) and are not read back, so nothing bounces. Required.",
    }),
    primary: Type.Boolean({ default: false, description: "This pipeline's source is the channel's primary: its version wins under primary-wins and on newer-wins ties, and only its DDL is replicated (the other direction refuses DDL with FERRY_ERR_DDL_NOT_PRIMARY). Exactly one of the two pipelines is primary. Default false." }),
    conflicts: Type.Union([Type.Literal('primary-wins'), Type.Literal('newer-wins'), Type.Literal('stop')], {
      default: 'primary-wins',
      description: "How a conflict (the target's row is not what the change expected) is settled, the same way on both sides: 'primary-wins' keeps the primary's version, 'newer-wins' the version with the later timestampColumn (ties, and deletes, to the primary), 'stop' halts with FERRY_ERR_CONFLICT. Every conflict is recorded in <systemSchema>.conflicts. Default 'primary-wins'.",
    }),
    timestampColumn: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Column (target name) that newer-wins compares; every replicated table needs it. Required with newer-wins, refused otherwise. Default: none." })),
  }, { ...strict, description: "One direction of an active-active pair: set on both pipelines, each naming the other as mirror. In a cluster, the channel's bidirectional field sets it. Default: none (one-way)." })),
  detectConflicts: Type.Boolean({
    default: false,
    description: "One-way: compare each change's before image with the target's row while applying, record a target changed behind Ferry's back in <systemSchema>.conflicts, and write the source's version anyway. Always on for a bidirectional pipeline. Default false.",
  }),
  serverId: Type.Optional(Type.Integer({
    minimum: 1,
    maximum: 4_294_967_295,
    description: "server_id Ferry uses as a replica of the source; unique among the source's replicas. Default: a stable hash of the pipeline name into 1000000..4000000000.",
  })),
  batch: Type.Object({
    maxRows: Type.Integer({ minimum: 1, maximum: 100_000, default: PIPELINE_DEFAULTS.batchMaxRows, description: 'A target transaction closes once it holds this many row changes (a source transaction is never split, so one large transaction may exceed it). Default 1000.' }),
    maxDelayMs: Type.Integer({ minimum: 0, maximum: 60_000, default: PIPELINE_DEFAULTS.batchMaxDelayMs, description: 'A batch closes at most this long after its first change arrived, trading latency for throughput: while batches are in flight, later transactions are grouped behind them up to this long. A batch with nothing queued behind it closes at once when the target is idle (no batch unacknowledged), or when the last batch in flight is acknowledged (one-process pipelines; a split pipeline waits out this delay then). Default 20.' }),
    maxBytes: Type.Integer({ minimum: 1024, maximum: 1_073_741_824, default: PIPELINE_DEFAULTS.batchMaxBytes, description: 'A target transaction also closes once its source row events reach this many bytes (binlog size), so wide rows keep batches small in memory. Default 1048576 (1 MiB).' }),
  }, { ...strict, default: {}, description: 'How source transactions are grouped into target transactions.' }),
  parallel: Type.Integer({ minimum: 1, maximum: 64, default: PIPELINE_DEFAULTS.parallel, description: 'Connections to the target that apply batches in parallel where row keys do not overlap. 1 applies strictly in source order. Default 4.' }),
  queue: Type.Object({
    maxRows: Type.Integer({ minimum: 1, maximum: 10_000_000, default: PIPELINE_DEFAULTS.queueMaxRows, description: 'Row changes held in memory between reading and applying; reading pauses when full (back-pressure). At least batch.maxRows. Default 20000.' }),
    maxBytes: Type.Integer({ minimum: 1024, maximum: 4_294_967_296, default: PIPELINE_DEFAULTS.queueMaxBytes, description: 'Binlog bytes of the row events held between reading and applying; reading also pauses beyond this. At least batch.maxBytes. Default 8388608 (8 MiB).' }),
  }, { ...strict, default: {}, description: 'Bound on buffered changes.' }),
  ddl: Type.Union([Type.Literal('stop'), Type.Literal('apply'), Type.Literal('ignore')], {
    default: PIPELINE_DEFAULTS.ddl,
    description: "DDL on a replicated table: 'stop' halts with FERRY_ERR_DDL_NOT_ALLOWED for a person to act, 'apply' runs it on the target (names mapped), 'ignore' skips it. Default 'stop'.",
  }),
  errorPolicy: Type.Union([Type.Literal('stop'), Type.Literal('skip')], {
    default: PIPELINE_DEFAULTS.errorPolicy,
    description: "A row the target refuses (FERRY_ERR_APPLY_FAILED): 'stop' halts the pipeline, 'skip' records it and goes on. Transient errors are retried either way. Default 'stop'.",
  }),
  binlogReplay: Type.Union([Type.Literal('auto'), Type.Literal('off'), Type.Literal('require')], {
    default: PIPELINE_DEFAULTS.binlogReplay,
    description: "How Load writes rows: 'auto' hands the target the source's own row events (a BINLOG statement, in the batch's transaction with the checkpoint) wherever that gives the same rows, and SQL elsewhere (docs/replay.md); 'off' always writes SQL; 'require' is 'auto' but stops with FERRY_ERR_REPLAY_REFUSED when the target refuses the BINLOG statement (privilege BINLOG REPLAY, another server flavour). Default 'auto'.",
  }),
  hook: Type.Optional(Type.String({
    minLength: 1,
    description: 'Path of a module whose hook sees every row change in Extract; relative to the pipeline file (to the working directory in the quick form). Default: none.',
  })),
  skipPrechecks: Type.Array(Type.Union(PRECHECK_IDS.map((id) => Type.Literal(id)), { description: `A precheck id: ${PRECHECK_IDS.join(', ')}.` }), {
    default: PIPELINE_DEFAULTS.skipPrechecks,
    description: 'Ids of prechecks not to run (each failed check prints its id). Default: [] (run them all).',
  }),
  systemSchema: Type.String({
    pattern: '^[A-Za-z0-9_$]{1,64}$',
    default: PIPELINE_DEFAULTS.systemSchema,
    description: "Schema on the target for Ferry's checkpoint and loop-prevention tables; never replicated. Default '_ferry'.",
  }),
  epoch: Type.Integer({ minimum: 0, default: PIPELINE_DEFAULTS.epoch, description: 'Assignment epoch for fencing; the cluster sets it, leave it out with `ferry run`. Default 0.' }),
  retry: Type.Object({
    initialDelayMs: Type.Integer({ minimum: 1, maximum: 600_000, default: PIPELINE_DEFAULTS.retryInitialDelayMs, description: 'First wait before retrying a transient error (lost connection, deadlock); doubles on each failure. Default 1000.' }),
    maxDelayMs: Type.Integer({ minimum: 1, maximum: 3_600_000, default: PIPELINE_DEFAULTS.retryMaxDelayMs, description: 'Longest wait between retries; retries go on until the pipeline is stopped. At least initialDelayMs. Default 60000.' }),
  }, { ...strict, default: {}, description: 'Back-off for transient source and target errors.' }),
  liveness: Type.Object({
    heartbeatMs: Type.Integer({ minimum: 100, maximum: 60_000, default: PIPELINE_DEFAULTS.heartbeatMs, description: 'The source is asked to send a heartbeat whenever its binlog dump has had nothing to send for this long (MASTER_HEARTBEAT_PERIOD). Default 1000.' }),
    sourceSilenceMs: Type.Integer({ minimum: 200, maximum: 3_600_000, default: PIPELINE_DEFAULTS.sourceSilenceMs, description: 'Nothing at all from the source (no event, no heartbeat) for this long means the connection is dead though never closed (a firewall, a dead switch): Ferry drops it and reconnects from the checkpoint. Not counted while reading is paused for back-pressure. At least twice heartbeatMs. Default 5000.' }),
    targetStatementMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: PIPELINE_DEFAULTS.targetStatementMs, description: 'A statement of a batch (COMMIT included) without an answer from the target for this long: the connection is closed and the batch retried from the checkpoint. Also bounds the start of each attempt (prechecks, the claim, reading the checkpoint) on source and target. Keep it well above the longest lock wait a batch may meet; DDL applied under ddl: apply has no such limit. Default 120000.' }),
  }, { ...strict, default: {}, description: 'How Ferry notices a network path that died without closing its connections.' }),
  validation: Type.Object({
    intervalSeconds: Type.Integer({
      minimum: 0, maximum: 604_800, default: 0,
      description: 'Continuous validation: every this many seconds the pipeline\'s tables are verified in the background (chunked checksums on each server, differing rows read again once the pipeline has passed them), and differences raise the alarm verify:<pipeline> (a cluster) or an error line with the counts (bin/ferry run). 0: off. At least 10 when on. Default 0.',
    }),
  }, { ...strict, default: {}, description: 'A slow background verify of the running pipeline.' }),
  pipe: Type.Object({
    compression: Type.String({
      pattern: PIPE_COMPRESSION_PATTERN,
      default: PIPELINE_DEFAULTS.pipeCompression,
      description: `Compression of the changes the select side sends the load side across datacenters: 'none', 'deflate-1'..'deflate-9', 'gzip-1'..'gzip-9' or 'brotli-0'..'brotli-11' (algorithm and level; higher levels spend more CPU for fewer bytes). The load side reads any of them. Default '${PIPELINE_DEFAULTS.pipeCompression}' (docs/benchmarks.md, Pipe compression).`,
    }),
  }, { ...strict, default: {}, description: "The node-to-node pipe of a split pipeline (Select and Extract in the source's datacenter, Transform and Load in the target's)." }),
}, { ...strict, $id: 'PipelineSpec', description: 'A one-way replication pipeline from a source to a target database.' });

export type PipelineSpecT = Static<typeof PipelineSpec>;
export type EndpointSpecT = Static<typeof Endpoint>;
export type TableRuleSpecT = Static<typeof TableRule>;
export type TableRuleObjectT = Static<typeof TableRuleObject>;
export type ColumnsSpecT = Static<typeof ColumnsSpec>;

/**
 * What a user may write: the spec with defaulted fields optional. PipelineSpecT is what
 * validation guarantees after defaults are filled.
 */
export type PipelineSpecInput = Omit<PipelineSpecT, 'description' | 'detectConflicts' | 'bidirectional' | 'initialCopy' | 'onPurgedBinlog' | 'validation' | 'batch' | 'parallel' | 'queue' | 'ddl' | 'errorPolicy' | 'binlogReplay' | 'skipPrechecks' | 'systemSchema' | 'epoch' | 'retry' | 'liveness' | 'pipe'> & {
  description?: string;
  bidirectional?: Partial<Omit<NonNullable<PipelineSpecT['bidirectional']>, 'mirror'>> & { mirror: string };
  detectConflicts?: boolean;
  initialCopy?: boolean;
  onPurgedBinlog?: PipelineSpecT['onPurgedBinlog'];
  validation?: Partial<PipelineSpecT['validation']>;
  batch?: Partial<PipelineSpecT['batch']>;
  parallel?: number;
  queue?: Partial<PipelineSpecT['queue']>;
  ddl?: PipelineSpecT['ddl'];
  errorPolicy?: PipelineSpecT['errorPolicy'];
  binlogReplay?: PipelineSpecT['binlogReplay'];
  skipPrechecks?: string[];
  systemSchema?: string;
  epoch?: number;
  retry?: Partial<PipelineSpecT['retry']>;
  liveness?: Partial<PipelineSpecT['liveness']>;
  pipe?: Partial<PipelineSpecT['pipe']>;
};

/**
 * A copy of a field schema without its `default` annotations (nested ones too), so that a
 * validator with useDefaults (fastify's) leaves a stored body as the user wrote it: the
 * cluster stores channels that way and resolvePipeline fills the defaults on the node.
 */
export function withoutDefaults<T extends TSchema>(schema: T): T {
  return stripDefaults(schema) as T;
}

function stripDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDefaults);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<PropertyKey, unknown> = {};
  // Reflect.ownKeys: TypeBox keeps its Kind and Optional markers under symbols.
  for (const key of Reflect.ownKeys(value)) {
    if (key !== 'default') copy[key] = stripDefaults((value as Record<PropertyKey, unknown>)[key]);
  }
  return copy;
}

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** JSON pointer to the field, as fastify reports it: '/batch/maxRows', '/tables/2/target'; '' for the whole spec. */
  path: string;
  /** What is wrong; never quotes a password or a URL. */
  message: string;
  /** Line in the configuration file, when the spec came from one. */
  line?: number;
}

/** The one error for a bad configuration: every problem at once, in `details.errors`. */
export function configInvalid(problems: readonly ConfigProblem[], file?: string): FerryError {
  const where = (p: ConfigProblem) => `${p.line === undefined ? '' : `line ${p.line} `}${p.path === '' ? '(spec)' : p.path}`;
  const list = problems.map((p) => `${where(p)}: ${p.message}`).join('; ');
  const head = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const detail = `${file === undefined ? '' : `${file}: `}${head}: ${list}`;
  return new FerryError('FERRY_ERR_CONFIG_INVALID', { detail, errors: problems.map((p) => ({ ...p })), ...(file === undefined ? {} : { file }) });
}


/** Where to start reading the source binlog (the parsed `from`). */
export type StartPosition =
  | {
    readonly kind: 'gtid';
    /** MariaDB 'domain-server-seq' or MySQL 'uuid:interval' GTIDs; never both. */
    readonly flavor: 'mariadb' | 'mysql';
    /** The set, comma-separated without spaces, MySQL UUIDs in lower case. */
    readonly gtidSet: string;
  }
  | { readonly kind: 'file'; readonly file: string; readonly pos: number }
  /** The source's binlog end, chosen on purpose: also where a pipeline whose checkpoint vanished may start (FERRY_ERR_CHECKPOINT_MISSING). */
  | { readonly kind: 'end' };

export type StartPositionResult = { ok: true; position: StartPosition } | { ok: false; problem: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BINLOG_FILE_POS = /^([^\s:,/\\]+\.\d+):(\d+)$/;
const MAX_UINT32 = 4_294_967_295n;
const MAX_UINT64 = 18_446_744_073_709_551_615n;
const MAX_INT64 = 9_223_372_036_854_775_807n;
const FROM_FORMS = "a GTID set ('0-1-100,1-1-5' on MariaDB, '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10' on MySQL, optionally prefixed 'gtid:') or a binlog position 'file:position' ('mysql-bin.000003:4')";

/** Parses `from` without throwing; the problem text never quotes more than the offending element. */
export function checkStartPosition(text: string): StartPositionResult {
  const trimmed = text.trim();
  const forcedGtid = trimmed.toLowerCase().startsWith('gtid:');
  const body = forcedGtid ? trimmed.slice(5).trim() : trimmed;
  if (!forcedGtid && body.toLowerCase() === 'end') return { ok: true, position: { kind: 'end' } };
  const file = forcedGtid ? null : BINLOG_FILE_POS.exec(body);
  if (file?.[1] !== undefined && file[2] !== undefined) {
    const pos = Number(file[2]);
    if (!Number.isSafeInteger(pos) || pos < 4) return { ok: false, problem: `binlog position ${file[2]} is before the first event (positions start at 4)` };
    return { ok: true, position: { kind: 'file', file: file[1], pos } };
  }
  if (body === '') return { ok: false, problem: `is empty; give ${FROM_FORMS}` };
  const elements = body.split(',').map((e) => e.trim());
  const flavors = new Set<'mariadb' | 'mysql'>();
  const domains = new Set<string>();
  const normalized: string[] = [];
  for (const element of elements) {
    const mariadb = /^(\d{1,10})-(\d{1,10})-(\d{1,20})$/.exec(element);
    if (mariadb !== null) {
      const [, domain = '', server = '', seq = ''] = mariadb;
      if (BigInt(domain) > MAX_UINT32 || BigInt(server) > MAX_UINT32 || BigInt(seq) > MAX_UINT64) return { ok: false, problem: `GTID '${element}' has a number out of range` };
      if (domains.has(domain)) return { ok: false, problem: `GTID domain ${domain} appears twice; a MariaDB position holds one GTID per domain` };
      domains.add(domain);
      flavors.add('mariadb');
      normalized.push(`${BigInt(domain)}-${BigInt(server)}-${BigInt(seq)}`);
      continue;
    }
    const mysql = checkMysqlGtid(element);
    if (typeof mysql === 'string') {
      flavors.add('mysql');
      normalized.push(mysql);
      continue;
    }
    return { ok: false, problem: element === '' ? `has an empty element; give ${FROM_FORMS}` : `'${element}' is not a GTID; give ${FROM_FORMS}` };
  }
  if (flavors.size > 1) return { ok: false, problem: 'mixes MariaDB and MySQL GTIDs; a source speaks one of them' };
  return { ok: true, position: { kind: 'gtid', flavor: flavors.has('mysql') ? 'mysql' : 'mariadb', gtidSet: normalized.join(',') } };
}

/** 'uuid[:tag]:n[-m][:n[-m]...]' normalized, or undefined when it is not one. */
function checkMysqlGtid(element: string): string | undefined {
  const [uuid = '', ...segments] = element.split(':');
  if (!UUID.test(uuid) || segments.length === 0) return undefined;
  let needInterval = false;
  for (const segment of segments) {
    const interval = /^(\d{1,19})(?:-(\d{1,19}))?$/.exec(segment);
    if (interval !== null) {
      const start = BigInt(interval[1] ?? '0');
      const end = interval[2] === undefined ? start : BigInt(interval[2]);
      if (start < 1n || end < start || end > MAX_INT64) return undefined;
      needInterval = false;
    } else if (/^[a-z_][a-z0-9_]{0,31}$/i.test(segment)) {
      needInterval = true; // MySQL 8.3+ tagged GTIDs: a tag is followed by its intervals.
    } else {
      return undefined;
    }
  }
  if (needInterval) return undefined;
  return [uuid.toLowerCase(), ...segments].join(':');
}
