import { configInvalid, type ConfigProblem, type ColumnsSpecT, type TableRuleObjectT, type TableRuleSpecT } from '../config/pipeline-spec.ts';
import type { TableRef } from './change.ts';

/**
 * Compiled table mapping: which source tables a pipeline replicates, under which target
 * names, with which columns. Rules are checked once (checkTableRules, every problem at once)
 * and compiled once; mapTable is called for every row change, so its answer is cached per table.
 *
 * Contract:
 * - the first rule that matches a table wins; no match means the table is not replicated;
 * - schema and table names match case-sensitively (MySQL on Linux with lower_case_table_names=0);
 *   column names case-insensitively, as MySQL compares them;
 * - in a pattern `*` matches any run of characters (also none) and `?` exactly one;
 * - the system schemas below and the pipeline's own system schema are never replicated,
 *   whatever the rules say.
 */

/** Schemas of the server itself: never replicated (compared case-insensitively). */
export const SYSTEM_SCHEMAS: readonly string[] = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Column selection and renaming for the tables of one rule. */
export interface ColumnMapper {
  /** True when every column is kept under its own name, so a caller may skip mapping. */
  readonly identity: boolean;
  /** Target name of a source column, or undefined when the column is not replicated. */
  mapColumn(name: string): string | undefined;
}

export interface MappedTable {
  readonly target: Readonly<TableRef>;
  readonly columns: ColumnMapper;
  /** Index in `tables` of the rule that matched. */
  readonly rule: number;
}

export interface TableMapping {
  /** Where a source table goes; undefined when it is not replicated. */
  mapTable(schema: string, table: string): MappedTable | undefined;
  /** True when some rule may replicate a table of this schema (DROP DATABASE names no table). */
  coversSchema(schema: string): boolean;
  /**
   * Every source schema a rule can read, when each rule names its schema without a wildcard
   * (the binlog reader then decodes no other schema's rows); undefined otherwise.
   */
  literalSourceSchemas(): string[] | undefined;
}

export interface TableMappingOptions {
  /** Ferry's schema (checkpoints, fences, skipped rows); never replicated. @default '_ferry' */
  systemSchema?: string;
  /** JSON pointer of the rules in the spec, for problem paths. @default '/tables' */
  path?: string;
}

/**
 * Every problem of a rule list; empty when compileTableMapping will accept it. An undefined
 * entry (a rule the schema already refused) is skipped but keeps the indexes of the others.
 */
export function checkTableRules(rules: readonly (TableRuleSpecT | undefined)[], options: TableMappingOptions = {}): ConfigProblem[] {
  return compileRules(rules, options).problems;
}

/** Compiles rules, or throws FERRY_ERR_CONFIG_INVALID listing every problem. */
export function compileTableMapping(rules: readonly TableRuleSpecT[], options: TableMappingOptions = {}): TableMapping {
  const { compiled, problems } = compileRules(rules, options);
  if (problems.length > 0) throw configInvalid(problems);
  return Object.freeze(new CompiledTableMapping(compiled, systemSchemaSet(options.systemSchema ?? '_ferry')));
}

/** The object form of a rule (a plain string is shorthand for { source }). */
export function normalizeTableRule(rule: TableRuleSpecT): TableRuleObjectT {
  return typeof rule === 'string' ? { source: rule } : rule;
}

interface NameMatcher {
  readonly text: string;
  readonly literal: boolean;
  test(name: string): boolean;
}

interface CompiledRule {
  readonly index: number;
  readonly source: string;
  readonly schema: NameMatcher;
  readonly table: NameMatcher;
  /** Target parts; undefined keeps the source name. */
  readonly targetSchema: string | undefined;
  readonly targetTable: string | undefined;
  readonly columns: ColumnMapper;
}

class CompiledTableMapping implements TableMapping {
  /** schema -> table -> answer (null: not replicated). Nested maps avoid building a key string per row. */
  private readonly cache = new Map<string, Map<string, MappedTable | null>>();

  constructor(private readonly rules: readonly CompiledRule[], private readonly systemSchemas: ReadonlySet<string>) {}

  mapTable(schema: string, table: string): MappedTable | undefined {
    let bySchema = this.cache.get(schema);
    if (bySchema === undefined) {
      bySchema = new Map();
      this.cache.set(schema, bySchema);
    }
    const hit = bySchema.get(table);
    if (hit !== undefined) return hit ?? undefined;
    const answer = this.resolve(schema, table);
    bySchema.set(table, answer ?? null);
    return answer;
  }

  coversSchema(schema: string): boolean {
    return !this.systemSchemas.has(schema.toLowerCase()) && this.rules.some((r) => r.schema.test(schema));
  }

  literalSourceSchemas(): string[] | undefined {
    if (!this.rules.every((r) => r.schema.literal)) return undefined;
    return [...new Set(this.rules.map((r) => r.schema.text))].filter((schema) => !this.systemSchemas.has(schema.toLowerCase()));
  }

  /** For logs: the rules in their written form (JSON.stringify of a runtime pipeline). */
  toJSON(): { source: string; target: string }[] {
    return this.rules.map((r) => ({ source: r.source, target: `${r.targetSchema ?? '*'}.${r.targetTable ?? '*'}` }));
  }

  private resolve(schema: string, table: string): MappedTable | undefined {
    if (this.systemSchemas.has(schema.toLowerCase())) return undefined;
    const rule = this.rules.find((r) => r.schema.test(schema) && r.table.test(table));
    if (rule === undefined) return undefined;
    const target = Object.freeze({ schema: rule.targetSchema ?? schema, table: rule.targetTable ?? table });
    return Object.freeze({ target, columns: rule.columns, rule: rule.index });
  }
}

class RuleColumns implements ColumnMapper {
  readonly identity: boolean;
  private readonly include: ReadonlySet<string> | undefined;
  private readonly exclude: ReadonlySet<string>;
  private readonly rename: ReadonlyMap<string, string>;
  private readonly cache = new Map<string, string | null>();

  constructor(spec: ColumnsSpecT | undefined) {
    this.include = spec?.include === undefined ? undefined : new Set(spec.include.map(lower));
    this.exclude = new Set((spec?.exclude ?? []).map(lower));
    this.rename = new Map(Object.entries(spec?.rename ?? {}).map(([from, to]) => [lower(from), to]));
    this.identity = this.include === undefined && this.exclude.size === 0 && this.rename.size === 0;
  }

  mapColumn(name: string): string | undefined {
    if (this.identity) return name;
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const key = lower(name);
    const kept = (this.include === undefined || this.include.has(key)) && !this.exclude.has(key);
    const answer = kept ? this.rename.get(key) ?? name : null;
    this.cache.set(name, answer);
    return answer ?? undefined;
  }
}

const IDENTITY_COLUMNS = new RuleColumns(undefined);

function compileRules(rules: readonly (TableRuleSpecT | undefined)[], options: TableMappingOptions): { compiled: CompiledRule[]; problems: ConfigProblem[] } {
  const base = options.path ?? '/tables';
  const systemSchemas = systemSchemaSet(options.systemSchema ?? '_ferry');
  const problems: ConfigProblem[] = [];
  const compiled: CompiledRule[] = [];
  const earlier = new EarlierRules();
  rules.forEach((raw, index) => {
    if (raw === undefined) return;
    const path = typeof raw === 'string' ? `${base}/${index}` : `${base}/${index}/source`;
    const rule = normalizeTableRule(raw);
    const found: ConfigProblem[] = [];
    const report = (where: string, message: string) => void found.push({ path: where, message });
    const source = splitName(rule.source);
    const badSource = source === undefined ? undefined : nameProblem(source);
    if (source === undefined) {
      report(path, `'${rule.source}' is not 'schema.table' (use a pattern such as 'db.*' for every table of a schema)`);
    } else if (badSource !== undefined) {
      report(path, badSource);
    } else if (!hasWildcard(source[0]) && systemSchemas.has(source[0].toLowerCase())) {
      report(path, `'${source[0]}' is a system schema and is never replicated`);
    }
    const target = rule.target === undefined ? undefined : checkTarget(rule.target, source, systemSchemas, `${base}/${index}/target`, found);
    const columns = rule.columns === undefined ? IDENTITY_COLUMNS : checkColumns(rule.columns, `${base}/${index}/columns`, found);
    if (source !== undefined && found.length === 0) {
      const schema = nameMatcher(source[0]);
      const table = nameMatcher(source[1]);
      const shadow = earlier.shadowing(rule.source, schema, table);
      if (shadow !== undefined) {
        report(path, `never used: tables[${shadow.index}] ('${shadow.source}') already matches '${rule.source}'; put the more specific rule first`);
      } else {
        const entry: CompiledRule = { index, source: rule.source, schema, table, targetSchema: target?.[0], targetTable: target?.[1], columns };
        compiled.push(entry);
        earlier.add(entry);
      }
    }
    problems.push(...found);
  });
  return { compiled, problems };
}

/**
 * The rules compiled so far, indexed so that finding one that shadows a new rule does not scan
 * them all (a scan per rule made 32,000 rules take 37 s): the same source text by a map; a
 * literal 'schema.table' only against the patterns that can match it, found by the literal
 * prefix of each pattern (the text before its first wildcard): at most 64 map lookups per
 * name part. Only patterns sharing a prefix are tested one by one.
 */
class EarlierRules {
  private readonly bySource = new Map<string, CompiledRule>();
  /** Rules with a literal schema and a pattern table: schema -> table prefix -> rules. */
  private readonly tablePatterns = new Map<string, Map<string, CompiledRule[]>>();
  /** Rules whose schema is a pattern: schema prefix -> rules. */
  private readonly schemaPatterns = new Map<string, CompiledRule[]>();

  add(rule: CompiledRule): void {
    if (!this.bySource.has(rule.source)) this.bySource.set(rule.source, rule);
    if (!rule.schema.literal) {
      push(this.schemaPatterns, literalPrefix(rule.schema.text), rule);
    } else if (!rule.table.literal) {
      let byPrefix = this.tablePatterns.get(rule.schema.text);
      if (byPrefix === undefined) this.tablePatterns.set(rule.schema.text, (byPrefix = new Map<string, CompiledRule[]>()));
      push(byPrefix, literalPrefix(rule.table.text), rule);
    }
  }

  /** The first earlier rule that takes every table this one would match, if any. */
  shadowing(source: string, schema: NameMatcher, table: NameMatcher): CompiledRule | undefined {
    let first = this.bySource.get(source);
    if (!schema.literal || !table.literal) return first;
    const consider = (rules: readonly CompiledRule[] | undefined) => {
      for (const r of rules ?? []) {
        if ((first === undefined || r.index < first.index) && r.schema.test(schema.text) && r.table.test(table.text)) first = r;
      }
    };
    const byPrefix = this.tablePatterns.get(schema.text);
    for (let end = 0; end <= table.text.length; end += 1) {
      consider(byPrefix?.get(table.text.slice(0, end)));
      consider(this.schemaPatterns.get(schema.text.slice(0, end)));
    }
    for (let end = table.text.length + 1; end <= schema.text.length; end += 1) consider(this.schemaPatterns.get(schema.text.slice(0, end)));
    return first;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The text of a pattern before its first wildcard: every name it matches starts with it. */
function literalPrefix(pattern: string): string {
  const at = pattern.search(/[*?]/);
  return at < 0 ? pattern : pattern.slice(0, at);
}

/** Target name parts, undefined for a part of `*` (keep the source name). */
function checkTarget(
  text: string,
  source: [string, string] | undefined,
  systemSchemas: ReadonlySet<string>,
  path: string,
  found: ConfigProblem[],
): [string | undefined, string | undefined] | undefined {
  const report = (where: string, message: string) => void found.push({ path: where, message });
  const parts = splitName(text);
  if (parts === undefined) {
    report(path, `'${text}' is not 'schema.table' (a part may be * to keep the source name, as in 'otherdb.*')`);
    return undefined;
  }
  const [schema, table] = parts;
  const badName = nameProblem(parts);
  if (badName !== undefined) {
    report(path, badName);
    return undefined;
  }
  const before = found.length;
  for (const part of parts) {
    if (part !== '*' && hasWildcard(part)) report(path, `'${part}' in the target is a pattern; a target part is a name or * (keep the source name)`);
  }
  if (schema !== '*' && systemSchemas.has(schema.toLowerCase())) report(path, `'${schema}' is a system schema and cannot be a target`);
  if (source !== undefined && table !== '*' && hasWildcard(source[1])) {
    report(path, `the source table '${source[1]}' is a pattern, so the target table must be * (as in '${schema}.*'); otherwise many tables would be written into one`);
  }
  if (found.length !== before) return undefined;
  return [schema === '*' ? undefined : schema, table === '*' ? undefined : table];
}

function checkColumns(spec: ColumnsSpecT, path: string, found: ConfigProblem[]): ColumnMapper {
  const report = (where: string, message: string) => void found.push({ path: where, message });
  const before = found.length;
  if (spec.include !== undefined && spec.exclude !== undefined) report(path, 'give columns.include or columns.exclude, not both');
  for (const list of ['include', 'exclude'] as const) {
    const names = spec[list] ?? [];
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(lower(name))) report(`${path}/${list}`, `'${name}' is listed twice (column names compare case-insensitively)`);
      seen.add(lower(name));
    }
  }
  const include = spec.include === undefined ? undefined : new Set(spec.include.map(lower));
  const exclude = new Set((spec.exclude ?? []).map(lower));
  const renamed = new Set<string>();
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(spec.rename ?? {})) {
    const key = lower(from);
    const where = `${path}/rename/${escapePointer(from)}`;
    if (renamed.has(key)) report(where, `'${from}' is renamed twice (column names compare case-insensitively)`);
    renamed.add(key);
    if (exclude.has(key) || (include !== undefined && !include.has(key))) report(where, `'${from}' is renamed but not replicated (see columns.include / columns.exclude)`);
    const clash = targets.get(lower(to));
    if (clash !== undefined) report(where, `'${from}' and '${clash}' would both become '${to}'`);
    targets.set(lower(to), from);
  }
  // With an include list every target column is known: a rename onto a kept, unrenamed column collides.
  for (const [target, from] of targets) {
    if (include?.has(target) === true && !renamed.has(target)) report(`${path}/rename/${escapePointer(from)}`, `'${from}' would become '${spec.rename?.[from]}', which is also an included column`);
  }
  return found.length === before ? new RuleColumns(spec) : IDENTITY_COLUMNS;
}

function splitName(text: string): [string, string] | undefined {
  const parts = text.split('.');
  if (parts.length !== 2) return undefined;
  const [schema, table] = parts as [string, string];
  if (schema.trim() === '' || table.trim() === '' || schema.length > 64 || table.length > 64) return undefined;
  return [schema, table];
}

/**
 * The grammar of a rule's name part: 1 to 64 letters, digits, '_', '$' or '-' (what MySQL
 * names hold in practice), and in patterns the wildcards '*' and '?'. Anything else (quotes,
 * backticks, spaces, ';', regex syntax) is refused rather than matched literally, so a rule
 * is never taken for SQL or for a regular expression it is not.
 */
const NAME_PART = /^[\p{L}\p{M}\p{N}_$*?-]+$/u;
const NAME_CHARS = "letters, digits, '_', '$', '-' and the wildcards * and ?";

function nameProblem(parts: readonly string[]): string | undefined {
  for (const part of parts) {
    if (NAME_PART.test(part)) continue;
    const bad = [...part].find((c) => !NAME_PART.test(c)) ?? part;
    return `'${part}' holds ${JSON.stringify(bad)}; a schema or table name in a rule holds only ${NAME_CHARS}`;
  }
  return undefined;
}

function hasWildcard(part: string): boolean {
  return part.includes('*') || part.includes('?');
}

function nameMatcher(text: string): NameMatcher {
  if (!hasWildcard(text)) return { text, literal: true, test: (name) => name === text };
  if (text === '*') return { text, literal: false, test: () => true };
  const body = [...text].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  const regex = new RegExp(`^${body}$`, 'su');
  return { text, literal: false, test: (name) => regex.test(name) };
}

function systemSchemaSet(systemSchema: string): ReadonlySet<string> {
  return new Set([...SYSTEM_SCHEMAS, systemSchema.toLowerCase()]);
}

function lower(name: string): string {
  return name.toLowerCase();
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
