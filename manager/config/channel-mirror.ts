import type { ChannelPipelineSpecT, ChannelSpecT } from '../../shared/cluster/model.ts';
import { PIPELINE_DEFAULTS, type ColumnsSpecT, type ConfigProblem, type TableRuleSpecT } from '../../shared/config/pipeline-spec.ts';
import { normalizeTableRule } from '../../shared/model/table-mapping.ts';

/**
 * The checks of a channel whose two pipelines run between the same two data sources in
 * opposite directions. With `bidirectional` they must be provably each other's mirror (loop
 * marks name the mirror, conflicts compare the same rows both ways); without it, a table both
 * pipelines carry would bounce between the two databases forever, so that is refused too.
 * Anything that cannot be proved mirrored is refused with the reason: a wrong answer here
 * loops or diverges two production databases.
 */

type Pipeline = ChannelPipelineSpecT;

/** A table rule with every name part written out: target parts of '*' replaced by the source's. */
interface CanonicalRule {
  sourceSchema: string;
  sourceTable: string;
  targetSchema: string;
  targetTable: string;
  columns: CanonicalColumns;
}

/** Column selection with names folded (MySQL compares column names case-insensitively). */
interface CanonicalColumns {
  include?: string[];
  exclude?: string[];
  /** Source name -> target name, both lower-case, sorted by source name. */
  rename: [string, string][];
}

/** Problems of `channel` as a pair of opposite pipelines, as JSON pointers into its body. */
export function mirrorProblems(channel: ChannelSpecT): ConfigProblem[] {
  const spec = channel.bidirectional;
  if (spec === undefined) return bounceProblems(channel);
  const problems: ConfigProblem[] = [];
  const [first, second] = channel.pipelines;
  if (first === undefined || second === undefined) {
    const back = first === undefined ? 'the pipeline back' : `a second pipeline from '${first.target}' back to '${first.source}' with the same tables mapped back`;
    return [{ path: '/bidirectional', message: `a bidirectional channel has two pipelines, each the other's mirror; add ${back}, or remove bidirectional for a one-way channel` }];
  }
  if (second.source !== first.target) {
    problems.push({ path: '/pipelines/1/source', message: `is '${second.source}'; the mirror of pipeline '${first.name}' (${first.source} -> ${first.target}) reads '${first.target}'` });
  }
  if (second.target !== first.source) {
    problems.push({ path: '/pipelines/1/target', message: `is '${second.target}'; the mirror of pipeline '${first.name}' (${first.source} -> ${first.target}) writes '${first.source}'` });
  }
  problems.push(...tableMirrorProblems(first, second));
  const schemaOf = (p: Pipeline) => p.systemSchema ?? PIPELINE_DEFAULTS.systemSchema;
  if (schemaOf(first) !== schemaOf(second)) {
    problems.push({ path: '/pipelines/1/systemSchema', message: `is '${schemaOf(second)}' and pipeline '${first.name}' uses '${schemaOf(first)}'; give both pipelines the same systemSchema: each recognises the other's loop marks in it` });
  }
  const sources = [first.source, second.source];
  if (!sources.includes(spec.primary)) {
    problems.push({ path: '/bidirectional/primary', message: `'${spec.primary}' is not a source of this channel; name one of '${first.source}' and '${second.source}': its version wins conflicts and its DDL is replicated` });
  }
  const conflicts = spec.conflicts ?? 'primary-wins';
  if (conflicts === 'newer-wins' && spec.timestampColumn === undefined) {
    problems.push({ path: '/bidirectional/timestampColumn', message: 'newer-wins needs timestampColumn: the column (as the target names it) whose later value wins; every replicated table must have it' });
  } else if (conflicts !== 'newer-wins' && spec.timestampColumn !== undefined) {
    problems.push({ path: '/bidirectional/timestampColumn', message: `only newer-wins compares a timestampColumn (conflicts is '${conflicts}'); remove it or set conflicts to newer-wins` });
  }
  return problems;
}

/** The second pipeline's rules must be the first's turned round, rule by rule, in order (first match wins). */
function tableMirrorProblems(first: Pipeline, second: Pipeline): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const count = Math.max(first.tables.length, second.tables.length);
  for (let i = 0; i < count; i += 1) {
    const there = first.tables[i];
    const back = second.tables[i];
    if (there === undefined) {
      problems.push({ path: `/pipelines/1/tables/${i}`, message: `pipeline '${first.name}' has no rule ${i} to mirror; the two pipelines' tables must be the same rules turned round, in the same order` });
      continue;
    }
    const canonical = canonicalRule(there);
    const reason = canonical === undefined ? undefined : irreversible(canonical);
    if (canonical === undefined || reason !== undefined) {
      problems.push({ path: `/pipelines/0/tables/${i}`, message: `cannot be mirrored: ${reason ?? 'the rule is not valid'}` });
      continue;
    }
    const expected = inverse(canonical);
    if (back === undefined) {
      problems.push({ path: '/pipelines/1/tables', message: `has no rule ${i}; add ${JSON.stringify(ruleText(expected))} to map back pipeline '${first.name}' rule ${i}` });
      continue;
    }
    const actual = canonicalRule(back);
    if (actual === undefined || !sameRule(actual, expected)) {
      problems.push({ path: `/pipelines/1/tables/${i}`, message: `does not map back pipeline '${first.name}' rule ${i} (${JSON.stringify(there)}); write ${JSON.stringify(ruleText(expected))}: the two pipelines' tables must be the same rules turned round, in the same order` });
    }
  }
  return problems;
}

/**
 * Two opposite pipelines without `bidirectional`: a change bounces forever when it can go
 * round, that is when each pipeline reads some table the other writes (whatever the patterns);
 * when either direction meets nothing, no change can come back, and that is refused nowhere.
 */
function bounceProblems(channel: ChannelSpecT): ConfigProblem[] {
  const [first, second] = channel.pipelines;
  if (first === undefined || second === undefined || first.source !== second.target || first.target !== second.source) return [];
  const there = readsWhatOtherWrites(second, first);
  const back = readsWhatOtherWrites(first, second);
  if (there === undefined || back === undefined) return [];
  return [{
    path: '/bidirectional',
    message: `pipelines '${first.name}' and '${second.name}' replicate between '${first.source}' and '${first.target}' both ways, and each reads tables the other writes ('${second.name}' rule ${there}, '${first.name}' rule ${back}): a change would go round and round forever. Add bidirectional {primary, conflicts} to the channel (the pipelines must then mirror each other), or make their tables disjoint`,
  }];
}

/** The index of the first rule of `reader` that reads a table `writer` may write, if any. */
function readsWhatOtherWrites(reader: Pipeline, writer: Pipeline): number | undefined {
  const written = writer.tables.map(canonicalRule).filter((rule) => rule !== undefined);
  const at = reader.tables.findIndex((rule) => {
    const read = canonicalRule(rule);
    return read !== undefined && written.some((w) => patternsMeet(w.targetSchema, read.sourceSchema) && patternsMeet(w.targetTable, read.sourceTable));
  });
  return at < 0 ? undefined : at;
}

function canonicalRule(rule: TableRuleSpecT | undefined): CanonicalRule | undefined {
  if (rule === undefined) return undefined;
  const { source, target, columns } = normalizeTableRule(rule);
  const from = source.split('.');
  const to = (target ?? '*.*').split('.');
  if (from.length !== 2 || to.length !== 2) return undefined;
  const [sourceSchema, sourceTable] = from as [string, string];
  const [targetSchema, targetTable] = to as [string, string];
  return {
    sourceSchema,
    sourceTable,
    targetSchema: targetSchema === '*' ? sourceSchema : targetSchema,
    targetTable: targetTable === '*' ? sourceTable : targetTable,
    columns: canonicalColumns(columns),
  };
}

function canonicalColumns(spec: ColumnsSpecT | undefined): CanonicalColumns {
  const lower = (names: readonly string[] | undefined) => (names === undefined ? undefined : names.map((n) => n.toLowerCase()).sort());
  const include = lower(spec?.include);
  const exclude = lower(spec?.exclude);
  return {
    ...(include === undefined ? {} : { include }),
    ...(exclude === undefined ? {} : { exclude }),
    rename: Object.entries(spec?.rename ?? {}).map(([from, to]): [string, string] => [from.toLowerCase(), to.toLowerCase()]).sort(byFirst),
  };
}

const byFirst = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Why a rule has no inverse: a pattern renamed into one name gathers many tables into one place. */
function irreversible(rule: CanonicalRule): string | undefined {
  const pattern = (part: string) => /[*?]/.test(part);
  if (pattern(rule.sourceSchema) && rule.targetSchema !== rule.sourceSchema) {
    return `the schema pattern '${rule.sourceSchema}' is written into the one schema '${rule.targetSchema}', which the way back cannot split again`;
  }
  if (pattern(rule.sourceTable) && rule.targetTable !== rule.sourceTable) {
    return `the table pattern '${rule.sourceTable}' is written into the one table '${rule.targetTable}'`;
  }
  return undefined;
}

/** The rule that carries what `rule` wrote back to where it came from. */
function inverse(rule: CanonicalRule): CanonicalRule {
  const renamed = new Map(rule.columns.rename);
  const toTarget = (name: string) => renamed.get(name) ?? name;
  const { include, exclude } = rule.columns;
  return {
    sourceSchema: rule.targetSchema,
    sourceTable: rule.targetTable,
    targetSchema: rule.sourceSchema,
    targetTable: rule.sourceTable,
    columns: {
      ...(include === undefined ? {} : { include: include.map(toTarget).sort() }),
      // An excluded column is never renamed (validation refuses that): the same name both ways.
      ...(exclude === undefined ? {} : { exclude: [...exclude] }),
      rename: rule.columns.rename.map(([from, to]): [string, string] => [to, from]).sort(byFirst),
    },
  };
}

function sameRule(a: CanonicalRule, b: CanonicalRule): boolean {
  return a.sourceSchema === b.sourceSchema && a.sourceTable === b.sourceTable && a.targetSchema === b.targetSchema && a.targetTable === b.targetTable
    && JSON.stringify(a.columns) === JSON.stringify(b.columns);
}

/** A rule as a user would write it. */
function ruleText(rule: CanonicalRule): TableRuleSpecT {
  const keep = (from: string, to: string) => (from === to ? '*' : to);
  const targetSchema = keep(rule.sourceSchema, rule.targetSchema);
  const targetTable = keep(rule.sourceTable, rule.targetTable);
  const source = `${rule.sourceSchema}.${rule.sourceTable}`;
  const { include, exclude, rename } = rule.columns;
  const columns: ColumnsSpecT = {
    ...(include === undefined ? {} : { include }),
    ...(exclude === undefined ? {} : { exclude }),
    ...(rename.length === 0 ? {} : { rename: Object.fromEntries(rename) }),
  };
  const renamed = targetSchema !== '*' || targetTable !== '*';
  if (!renamed && Object.keys(columns).length === 0) return source;
  return { source, ...(renamed ? { target: `${targetSchema}.${targetTable}` } : {}), ...(Object.keys(columns).length === 0 ? {} : { columns }) };
}

/** Whether some name matches both patterns (`*` any run of characters, `?` one). */
export function patternsMeet(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const meet = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let answer: boolean;
    if (i === a.length && j === b.length) answer = true;
    else if (i < a.length && a[i] === '*') answer = meet(i + 1, j) || (j < b.length && meet(i, j + 1));
    else if (j < b.length && b[j] === '*') answer = meet(i, j + 1) || (i < a.length && meet(i + 1, j));
    else answer = i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?') && meet(i + 1, j + 1);
    memo.set(key, answer);
    return answer;
  };
  return meet(0, 0);
}
