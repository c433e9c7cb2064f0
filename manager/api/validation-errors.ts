import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';

/**
 * Ajv's errors (fastify's validator, allErrors + verbose) in the words `ferry run` uses for a
 * bad pipeline file: one problem per field, a JSON pointer and a sentence. The work is in
 * unions (a table rule is a string or an object): Ajv reports every branch's failure, so
 * only the branch of the value's own type is kept ("unknown field 'sorce'", not "must be
 * string" plus "must match a schema in anyOf").
 */

export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

interface Schema {
  type?: string;
  const?: unknown;
  properties?: Record<string, unknown>;
}

export function validationProblems(errors: readonly AjvError[], prefix = ''): ConfigProblem[] {
  const dropped = new Set<AjvError>();
  const problems: ConfigProblem[] = [];
  // Outer unions first: a union inside a dropped branch is dropped with it.
  for (const union of errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)) {
    if (dropped.has(union)) continue;
    const branches = (Array.isArray(union.schema) ? union.schema : []) as Schema[];
    // The same union schema checks every item of an array: match the value's place too.
    const inBranch = (e: AjvError, i?: number) => e !== union && e.schemaPath.startsWith(`${union.schemaPath}/${i ?? ''}`)
      && (e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`));
    const chosen = branches.findIndex((b) => b.type === jsonType(union.data) || (b.type === 'number' && jsonType(union.data) === 'integer'));
    const keep = chosen >= 0 && !branches.every((b) => 'const' in b) && errors.some((e) => inBranch(e, chosen));
    for (const e of errors) if (inBranch(e) && !(keep && e.schemaPath.startsWith(`${union.schemaPath}/${chosen}/`))) dropped.add(e);
    if (keep) {
      dropped.add(union);
      continue;
    }
    dropped.add(union);
    const path = prefix + union.instancePath;
    const message = branches.every((b) => 'const' in b)
      ? `must be one of ${branches.map((b) => `'${String(b.const)}'`).join(', ')}`
      : `must be ${branches.map((b) => article(b.type ?? 'value')).join(' or ')}`;
    problems.push({ path, message });
  }
  for (const error of errors) {
    if (dropped.has(error)) continue;
    problems.push(problemOf(error, prefix));
  }
  // One problem per field (badRequest puts them in document order).
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)));
}

function problemOf(error: AjvError, prefix: string): ConfigProblem {
  const at = prefix + error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys(error.parentSchema?.properties ?? {});
      return { path: `${at}/${key}`, message: `unknown field '${key}'; known fields: ${known.join(', ')}` };
    }
    case 'required':
      return { path: `${at}/${String(error.params.missingProperty)}`, message: 'is required' };
    case 'pattern': {
      const description = typeof error.parentSchema?.description === 'string' ? error.parentSchema.description.split('. ')[0] : undefined;
      return { path: at, message: `is not valid${description === undefined ? '' : `: ${description}`}` };
    }
    case 'minItems':
      return { path: at, message: `must list at least ${String(error.params.limit)}` };
    default:
      return { path: at, message: error.message ?? error.keyword };
  }
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
