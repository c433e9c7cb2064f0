/**
 * What changed between two versions of an entity, as JSON-pointer paths (RFC 6901), for
 * people reading the configuration history. Secrets never appear: a field named like one
 * (a data source's sealed `password`) shows only that it changed, and a value shown whole
 * (an added object) has its secret fields masked.
 */

export interface DiffItem {
  /** JSON pointer into the spec ('' is the whole spec). */
  path: string;
  op: 'add' | 'remove' | 'replace';
  /** The old value (remove, replace); absent for a secret. */
  from?: unknown;
  /** The new value (add, replace); absent for a secret. */
  to?: unknown;
  /** True for a secret: only that it changed is shown, never its value. */
  secret?: true;
}

/** The masked form of a secret inside a value shown whole. */
export const SECRET_MASK = '(secret)';

const SECRET_KEY = /^(password|secret|token)$/i;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const lastKey = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** `value` with every secret field masked (an empty secret stays empty: "none" is no secret). */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET_KEY.test(key) && v !== '' ? SECRET_MASK : maskSecrets(v)]));
}

function item(path: string, op: DiffItem['op'], from: unknown, to: unknown): DiffItem {
  if (path !== '' && SECRET_KEY.test(lastKey(path))) return { path, op, secret: true };
  return { path, op, ...(op === 'add' ? {} : { from: maskSecrets(from) }), ...(op === 'remove' ? {} : { to: maskSecrets(to) }) };
}

/**
 * The changes from `before` to `after` (undefined: the entity did not exist / no longer
 * does), leaves first in document order. Objects are compared key by key and arrays index by
 * index, so a changed `parallel` of pipeline 0 reads `/pipelines/0/parallel`.
 */
export function configDiff(before: unknown, after: unknown, path = ''): DiffItem[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return isObject(after) && path === '' ? configDiff({}, after) : [item(path, 'add', undefined, after)];
  if (after === undefined) return isObject(before) && path === '' ? configDiff(before, {}) : [item(path, 'remove', before, undefined)];
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    return keys.flatMap((key) => configDiff(before[key], after[key], `${path}/${escape(key)}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => configDiff(before[i], after[i], `${path}/${i}`)).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [item(path, 'replace', before, after)];
}
