import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';
import { FerryError, describeError } from '../errors/index.ts';
import { compileTableMapping, checkTableRules, normalizeTableRule, type TableMapping } from '../model/table-mapping.ts';
import { checkTlsFields, type MysqlTls } from './mysql-tls.ts';
import { checkMysqlUrl, hostProblem, type MysqlEndpoint } from './mysql-url.ts';
import {
  Endpoint, PipelineSpec, SERVER_ID_RANGE, TableRule, checkStartPosition, configInvalid,
  type ConfigProblem, type PipelineSpecInput, type PipelineSpecT, type StartPosition, type TableRuleObjectT,
} from './pipeline-spec.ts';

/**
 * Spec -> runtime. Both `ferry run --config file` and the quick form end in resolvePipeline,
 * which validates (schema and meaning, every problem at once), fills defaults and freezes the
 * result: a node never sees an unvalidated or half-defaulted pipeline.
 */

/** The resolved pipeline a node runs. Frozen; every default filled. */
export interface RuntimePipeline {
  readonly name: string;
  readonly description: string;
  readonly source: MysqlEndpoint;
  readonly target: MysqlEndpoint;
  /** The rules as given, in object form, for display and prechecks. */
  readonly tables: readonly Readonly<TableRuleObjectT>[];
  /** The compiled rules: what is replicated, and where. */
  readonly mapping: TableMapping;
  /** Start here instead of the checkpoint; absent: resume from the checkpoint (or the current position). */
  readonly from?: StartPosition;
  /** One direction of an active-active pair (docs/bidirectional.md); absent: one-way. */
  readonly bidirectional?: RuntimeBidirectional;
  /** Compare before images with the target while applying, and record conflicts (always on when bidirectional). */
  readonly detectConflicts: boolean;
  /** A new pipeline copies the existing rows first (node/copy/). */
  readonly initialCopy: boolean;
  /** What a checkpoint whose binlog the source purged leads to: a stop, or a re-copy (node/copy/). */
  readonly onPurgedBinlog: 'stop' | 'resync';
  /** Continuous validation: seconds between background verifies; 0 off. */
  readonly validation: { readonly intervalSeconds: number };
  readonly serverId: number;
  readonly batch: { readonly maxRows: number; readonly maxDelayMs: number; readonly maxBytes: number };
  readonly parallel: number;
  readonly queue: { readonly maxRows: number; readonly maxBytes: number };
  readonly ddl: 'stop' | 'apply' | 'ignore';
  readonly errorPolicy: 'stop' | 'skip';
  /** Row events replayed on the target where they give the same rows (docs/replay.md). */
  readonly binlogReplay: 'auto' | 'off' | 'require';
  /** Absolute path of the hook module. */
  readonly hook?: string;
  readonly skipPrechecks: readonly string[];
  readonly systemSchema: string;
  readonly epoch: number;
  readonly retry: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly liveness: { readonly heartbeatMs: number; readonly sourceSilenceMs: number; readonly targetStatementMs: number };
  /** Compression of the select side's payloads: a setting parsePipeCompression (shared/pipe) reads. */
  readonly pipe: { readonly compression: string };
}

export interface RuntimeBidirectional {
  /** The opposite pipeline: transactions it applied to this pipeline's source are not read back. */
  readonly mirror: string;
  /** This pipeline's source is the channel's primary (wins conflicts under primary-wins and ties; the only side whose DDL flows). */
  readonly primary: boolean;
  readonly conflicts: 'primary-wins' | 'newer-wins' | 'stop';
  /** Target column newer-wins compares. */
  readonly timestampColumn?: string;
}

export interface ResolveOptions {
  /** Directory a relative `hook` path is resolved against. @default process.cwd() */
  baseDir?: string;
  /** Where `passwordEnv` variables are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The quick form of `ferry run`: URLs and a comma-separated table list, other fields optional. */
export type QuickForm = Omit<PipelineSpecInput, 'source' | 'target' | 'tables'> & {
  source: string;
  target: string;
  /** 'db.tbl,db2.*' or a list of such rules. */
  tables: string | readonly string[];
};

const checker = TypeCompiler.Compile(PipelineSpec);

/** Validates a spec (from a file, flags or a REST body) and returns its frozen runtime form. */
export function resolvePipeline(spec: unknown, options: ResolveOptions = {}): RuntimePipeline {
  return resolveLocated(spec, options, undefined);
}

export interface LoadOptions {
  /** Top-level fields that replace the file's (command-line flags such as --from). @default {} */
  overrides?: Partial<PipelineSpecInput>;
  /** Where `passwordEnv` variables are read. @default process.env */
  env?: ResolveOptions['env'];
}

/**
 * Reads a YAML (or JSON) pipeline file and resolves it; a relative `hook` is taken from the
 * file's directory. Throws FERRY_ERR_CONFIG_FILE when the file cannot be read or parsed, and
 * FERRY_ERR_CONFIG_INVALID (each problem with its line) when its content is wrong.
 */
export async function loadPipelineFile(path: string, options: LoadOptions = {}): Promise<RuntimePipeline> {
  const overrides = options.overrides ?? {};
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FerryError('FERRY_ERR_CONFIG_FILE', { path, detail: describeError(error) }, { cause: error });
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax !== undefined) throw new FerryError('FERRY_ERR_CONFIG_FILE', { path, detail: syntax.message.split('\n')[0] }, { cause: syntax });
  const content: unknown = document.toJS();
  if (content === null || content === undefined) throw new FerryError('FERRY_ERR_CONFIG_FILE', { path, detail: 'the file is empty' });
  const spec = isPlainObject(content) ? { ...content, ...overrides } : content;
  const overridden = new Set(Object.keys(overrides));
  const locate = (pointer: string) => (overridden.has(pointerSegments(pointer)[0] ?? '') ? undefined : lineOf(document, lines, pointer));
  return resolveLocated(spec, { baseDir: dirname(resolvePath(path)), ...(options.env === undefined ? {} : { env: options.env }) }, { file: path, locate });
}

/** `ferry run --source URL --target URL --tables 'db.tbl,db2.*'`. */
export function pipelineFromQuickForm(form: QuickForm, options: ResolveOptions = {}): RuntimePipeline {
  const list = typeof form.tables === 'string' ? form.tables.split(',') : [...form.tables];
  return resolvePipeline({ ...form, tables: list.map((t) => t.trim()).filter((t) => t !== '') }, options);
}

/** Default pipeline name: '<source host>-<port>-to-<target host>-<port>', fit for the name pattern. */
export function defaultPipelineName(source: Pick<MysqlEndpoint, 'host' | 'port'>, target: Pick<MysqlEndpoint, 'host' | 'port'>): string {
  const raw = `${source.host}-${source.port}-to-${target.host}-${target.port}`.toLowerCase();
  const name = raw.replace(/[^a-z0-9_.-]/g, '-').replace(/^[^a-z0-9]+/, '');
  return name.length <= 64 ? name : `${name.slice(0, 55)}-${hash(raw).toString(16).padStart(8, '0').slice(0, 8)}`;
}

/** Default serverId: the same name always gives the same id, inside SERVER_ID_RANGE. */
export function defaultServerId(name: string): number {
  return SERVER_ID_RANGE.min + (hash(name) % (SERVER_ID_RANGE.max - SERVER_ID_RANGE.min + 1));
}

interface Location {
  file: string;
  locate: (pointer: string) => number | undefined;
}

function resolveLocated(input: unknown, options: ResolveOptions, location: Location | undefined): RuntimePipeline {
  const fail = (problems: ConfigProblem[]) =>
    configInvalid(problems.map((p) => withLine(p, location)), location?.file);
  if (!isPlainObject(input)) throw fail([{ path: '', message: 'must be an object of pipeline fields (source, target, tables, ...)' }]);
  // Typed as the spec for field access only: until `problems` is empty, each use checks its field.
  const spec = Value.Default(PipelineSpec, Value.Clone(input)) as PipelineSpecT;
  const problems = schemaProblems(spec);
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();
  const source = endpointOf(spec.source, '/source', env, baseDir, problems);
  const target = endpointOf(spec.target, '/target', env, baseDir, problems);
  const rules = Array.isArray(spec.tables) ? spec.tables.map((rule) => (Value.Check(TableRule, rule) ? rule : undefined)) : [];
  const systemSchema = typeof spec.systemSchema === 'string' ? spec.systemSchema : '_ferry';
  addUnder(problems, checkTableRules(rules, { systemSchema }));
  const from = typeof spec.from === 'string' ? startPositionOf(spec.from, problems) : undefined;
  crossFieldChecks(spec, problems);
  if (problems.length > 0) throw fail(problems);

  // Every check passed, so the endpoints exist and the spec matches its type.
  const name = spec.name ?? defaultPipelineName(source!, target!);
  const tables = spec.tables.map((rule) => normalizeTableRule(structuredClone(rule)));
  return deepFreeze({
    name,
    description: spec.description,
    source: source!,
    target: target!,
    tables,
    mapping: compileTableMapping(spec.tables, { systemSchema: spec.systemSchema }),
    ...(from === undefined ? {} : { from }),
    ...(spec.bidirectional === undefined ? {} : { bidirectional: { ...spec.bidirectional } }),
    detectConflicts: spec.detectConflicts || spec.bidirectional !== undefined,
    initialCopy: spec.initialCopy,
    onPurgedBinlog: spec.onPurgedBinlog,
    validation: { ...spec.validation },
    serverId: spec.serverId ?? defaultServerId(name),
    batch: { ...spec.batch },
    parallel: spec.parallel,
    queue: { ...spec.queue },
    ddl: spec.ddl,
    errorPolicy: spec.errorPolicy,
    binlogReplay: spec.binlogReplay,
    ...(spec.hook === undefined ? {} : { hook: resolvePath(options.baseDir ?? process.cwd(), spec.hook) }),
    skipPrechecks: [...spec.skipPrechecks],
    systemSchema: spec.systemSchema,
    epoch: spec.epoch,
    retry: { ...spec.retry },
    liveness: { ...spec.liveness },
    pipe: { ...spec.pipe },
  }, 'mapping');
}

function endpointOf(value: unknown, path: string, env: ResolveOptions['env'] & object, baseDir: string, problems: ConfigProblem[]): MysqlEndpoint | undefined {
  if (!Value.Check(Endpoint, value)) return undefined;
  if (typeof value === 'string') {
    const parsed = checkMysqlUrl(value);
    if (parsed.ok) return withTlsPaths(parsed.endpoint, parsed.endpoint.tls, baseDir);
    addUnder(problems, [{ path, message: parsed.problem }]);
    return undefined;
  }
  const { host, port, user, passwordEnv } = value;
  const badHost = hostProblem(host);
  if (badHost !== undefined) {
    addUnder(problems, [{ path: `${path}/host`, message: `${badHost} (give the port in port, and IPv6 without brackets)` }]);
    return undefined;
  }
  const checkedTls = checkTlsFields({ mode: value.sslMode, ca: value.sslCa, cert: value.sslCert, key: value.sslKey });
  if (!checkedTls.ok) {
    const field = { 'ssl-mode': 'sslMode', 'ssl-ca': 'sslCa', 'ssl-cert': 'sslCert', 'ssl-key': 'sslKey' } as const;
    addUnder(problems, checkedTls.problems.map((p) => ({ path: `${path}/${field[p.field]}`, message: p.message.replace(/ssl-(cert|key)/g, (m) => field[m as 'ssl-cert' | 'ssl-key']) })));
    return undefined;
  }
  const tls = checkedTls.tls;
  if (passwordEnv === undefined) return withTlsPaths({ host, port, user, password: value.password }, tls, baseDir);
  if (value.password !== '') {
    addUnder(problems, [{ path: `${path}/passwordEnv`, message: 'give password or passwordEnv, not both' }]);
    return undefined;
  }
  const password = env[passwordEnv];
  if (password === undefined) {
    addUnder(problems, [{ path: `${path}/passwordEnv`, message: `environment variable ${passwordEnv} is not set` }]);
    return undefined;
  }
  return withTlsPaths({ host, port, user, password }, tls, baseDir);
}

/** The endpoint with its TLS files as absolute paths (relative ones are taken from baseDir). */
function withTlsPaths(endpoint: MysqlEndpoint, tls: MysqlTls | undefined, baseDir: string): MysqlEndpoint {
  const { tls: _given, ...rest } = endpoint;
  if (tls === undefined) return rest;
  return {
    ...rest,
    tls: {
      mode: tls.mode,
      ...(tls.ca === undefined ? {} : { ca: resolvePath(baseDir, tls.ca) }),
      ...(tls.cert === undefined ? {} : { cert: resolvePath(baseDir, tls.cert) }),
      ...(tls.key === undefined ? {} : { key: resolvePath(baseDir, tls.key) }),
    },
  };
}

function startPositionOf(text: string, problems: ConfigProblem[]): StartPosition | undefined {
  const result = checkStartPosition(text);
  if (result.ok) return result.position;
  addUnder(problems, [{ path: '/from', message: result.problem }]);
  return undefined;
}

function crossFieldChecks(spec: PipelineSpecT, problems: ConfigProblem[]): void {
  const { batch, queue, retry, liveness } = spec;
  if (Number.isInteger(queue?.maxRows) && Number.isInteger(batch?.maxRows) && queue.maxRows < batch.maxRows) {
    addUnder(problems, [{ path: '/queue/maxRows', message: `must be at least batch.maxRows (${batch.maxRows}): a full batch has to fit in the queue` }]);
  }
  if (Number.isInteger(queue?.maxBytes) && Number.isInteger(batch?.maxBytes) && queue.maxBytes < batch.maxBytes) {
    addUnder(problems, [{ path: '/queue/maxBytes', message: `must be at least batch.maxBytes (${batch.maxBytes}): a full batch has to fit in the queue` }]);
  }
  if (Number.isInteger(retry?.maxDelayMs) && Number.isInteger(retry?.initialDelayMs) && retry.maxDelayMs < retry.initialDelayMs) {
    addUnder(problems, [{ path: '/retry/maxDelayMs', message: `must be at least retry.initialDelayMs (${retry.initialDelayMs})` }]);
  }
  if (Number.isInteger(liveness?.sourceSilenceMs) && Number.isInteger(liveness?.heartbeatMs) && liveness.sourceSilenceMs < 2 * liveness.heartbeatMs) {
    addUnder(problems, [{ path: '/liveness/sourceSilenceMs', message: `must be at least twice liveness.heartbeatMs (${2 * liveness.heartbeatMs}): one late heartbeat is no broken connection` }]);
  }
  const interval = spec.validation?.intervalSeconds;
  if (Number.isInteger(interval) && interval > 0 && interval < 10) {
    addUnder(problems, [{ path: '/validation/intervalSeconds', message: 'must be 0 (off) or at least 10: each validation reads every replicated table on both servers' }]);
  }
  const bidirectional = spec.bidirectional;
  if (bidirectional !== undefined && (bidirectional.conflicts === 'newer-wins') !== (bidirectional.timestampColumn !== undefined)) {
    addUnder(problems, [{ path: '/bidirectional/timestampColumn', message: bidirectional.conflicts === 'newer-wins' ? 'newer-wins needs timestampColumn: the column whose later value wins' : `only newer-wins compares a timestampColumn (conflicts is '${bidirectional.conflicts}')` }]);
  }
  if (bidirectional !== undefined && bidirectional.mirror === spec.name) {
    addUnder(problems, [{ path: '/bidirectional/mirror', message: 'names this pipeline itself: the mirror is the opposite pipeline, from this target back to this source' }]);
  }
  if (spec.initialCopy === true && spec.from !== undefined) {
    addUnder(problems, [{ path: '/initialCopy', message: 'give initialCopy or from, not both: a copy pins its own start in the binlog, where the copied rows end' }]);
  }
}

/** Adds problems, except where the schema already reported the same field or one above it. */
function addUnder(problems: ConfigProblem[], more: readonly ConfigProblem[]): void {
  for (const problem of more) {
    const covered = problems.some((p) => problem.path === p.path || problem.path.startsWith(`${p.path}/`));
    if (!covered) problems.push(problem);
  }
}

/** Schema errors in words a DBA can act on, one per field. */
function schemaProblems(spec: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const error of checker.Errors(spec)) collectProblem(error, '', problems);
  return problems;
}

function collectProblem(error: ValueError, prefix: string, problems: ConfigProblem[]): void {
  const path = prefix + error.path;
  if (problems.some((p) => p.path === path)) return;
  const schema = error.schema as TSchema & { anyOf?: TSchema[]; properties?: Record<string, TSchema> };
  if (error.type === ValueErrorType.Union && schema.anyOf !== undefined) {
    const choices = schema.anyOf;
    if (choices.every((c) => 'const' in c)) {
      problems.push({ path, message: `must be one of ${choices.map((c) => `'${String(c.const)}'`).join(', ')}` });
      return;
    }
    // Report against the alternative of the value's own type: "unknown field 'hots'", not "Expected union value".
    const branch = choices.find((c) => c.type === jsonType(error.value));
    if (branch !== undefined) {
      const value = Value.Default(branch, Value.Clone(error.value));
      for (const inner of Value.Errors(branch, value)) collectProblem(inner, path, problems);
      return;
    }
    problems.push({ path, message: `must be ${choices.map((c) => article(String(c.type))).join(' or ')}` });
    return;
  }
  problems.push({ path, message: messageFor(error, schema, path) });
}

function messageFor(error: ValueError, schema: TSchema & { properties?: Record<string, TSchema> }, path: string): string {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const key = pointerSegments(path).at(-1) ?? '';
      const known = Object.keys(schema.properties ?? {});
      const guess = known.find((k) => similar(k, key));
      return guess === undefined ? `unknown field '${key}'; known fields: ${known.join(', ')}` : `unknown field '${key}' (did you mean '${guess}'?)`;
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${String(schema.minLength)} characters`;
    case ValueErrorType.ArrayMinItems:
      return `must list at least ${String(schema.minItems)}`;
    case ValueErrorType.StringPattern: {
      const description = typeof schema.description === 'string' ? schema.description.split('. ')[0] : undefined;
      return `is not valid${description === undefined ? '' : `: ${description}`}`;
    }
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}

/** Same word but for case, '_' and '-', or a typo (one letter off per three typed, at most two). */
function similar(known: string, typed: string): boolean {
  const squash = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  return squash(known) === squash(typed) || editDistance(known.toLowerCase(), typed.toLowerCase()) <= Math.min(2, Math.floor(typed.length / 3));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function withLine(problem: ConfigProblem, location: Location | undefined): ConfigProblem {
  const line = location?.locate(problem.path);
  return line === undefined ? problem : { ...problem, line };
}

/** Line of the deepest YAML node that exists along a JSON pointer. */
function lineOf(document: Document, lines: LineCounter, pointer: string): number | undefined {
  let node: unknown = document.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const segment of pointerSegments(pointer)) {
    if (isSeq(node)) node = node.items[Number(segment)];
    else if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === segment);
      // An unknown or misplaced key: point at the key itself.
      const keyOffset = (pair?.key as { range?: [number] } | null)?.range?.[0];
      if (keyOffset !== undefined) offset = keyOffset;
      node = pair?.value;
    } else break;
    const here = (node as { range?: [number] } | null | undefined)?.range?.[0];
    if (here === undefined) break;
    offset = here;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 32-bit hash from SHA-256: stable across processes, platforms and Node versions. */
function hash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** Freezes plain data all the way down; `skip` names a top-level field holding a live object. */
function deepFreeze<T extends object>(value: T, skip?: keyof T): T {
  for (const [key, inner] of Object.entries(value)) {
    if (key !== skip && typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
