import type { TableRef } from '../../shared/model/change.ts';

/**
 * SHOW GRANTS lines, parsed just enough to answer "does this session hold privilege P on
 * table T?". What counts: global (`*.*`), schema (`db`.*, whose name is a LIKE pattern with
 * `\` escapes) and table grants; MySQL partial revokes (`REVOKE P ON db.* FROM ...`) take P
 * away on that schema. What does not: column grants (Ferry reads and writes whole rows),
 * routine grants, PROXY, and roles that are not active in the session (see sessionGrants).
 */
export interface GrantEntry {
  revoke: boolean;
  /** Upper-case privilege names, 'ALL' for ALL [PRIVILEGES]; column-level ones left out. */
  privileges: string[];
  /** null: every schema (`*.*`). */
  schema: string | null;
  /** null: every table of the schema. */
  table: string | null;
}

interface Token {
  kind: 'word' | 'ident' | 'string' | 'group' | 'punct';
  text: string;
}

function readQuoted(line: string, start: number, quote: string): [string, number] {
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const char = line[i] as string;
    if (char === quote && line[i + 1] === quote) {
      text += quote;
      i += 2;
    } else if (char === quote) {
      return [text, i + 1];
    } else if (char === '\\' && quote === "'") {
      text += line[i + 1] ?? '';
      i += 2;
    } else {
      text += char;
      i += 1;
    }
  }
  return [text, i];
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line[i] as string;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '`' || char === '"' || char === "'") {
      const [text, next] = readQuoted(line, i, char);
      tokens.push({ kind: char === "'" ? 'string' : 'ident', text });
      i = next;
    } else if (char === '(') {
      // A column list: only its presence matters.
      let depth = 0;
      const start = i;
      while (i < line.length) {
        const c = line[i] as string;
        if (c === '`' || c === '"' || c === "'") {
          i = readQuoted(line, i, c)[1];
          continue;
        }
        if (c === '(') depth += 1;
        if (c === ')') depth -= 1;
        i += 1;
        if (depth === 0) break;
      }
      tokens.push({ kind: 'group', text: line.slice(start, i) });
    } else if (',.*@;)'.includes(char)) {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else {
      const match = /^[^\s,.*@;()`"']+/.exec(line.slice(i));
      const text = match?.[0] ?? char;
      tokens.push({ kind: 'word', text });
      i += text.length;
    }
  }
  return tokens;
}

const isWord = (token: Token | undefined, ...words: string[]): boolean =>
  token?.kind === 'word' && words.includes(token.text.toUpperCase());

/** One SHOW GRANTS line; undefined for lines that grant no table privileges (roles, PROXY, routines). */
export function parseGrant(line: string): GrantEntry | undefined {
  const tokens = tokenize(line);
  const head = tokens[0];
  if (!isWord(head, 'GRANT', 'REVOKE')) return undefined;
  const revoke = isWord(head, 'REVOKE');

  const privileges: string[] = [];
  let words: string[] = [];
  let columnLevel = false;
  let i = 1;
  const flush = (): void => {
    const name = words.join(' ').toUpperCase();
    if (name && !columnLevel) privileges.push(name === 'ALL PRIVILEGES' ? 'ALL' : name);
    words = [];
    columnLevel = false;
  };
  for (; i < tokens.length && !isWord(tokens[i], 'ON'); i += 1) {
    const token = tokens[i] as Token;
    if (isWord(token, 'TO', 'FROM')) return undefined; // GRANT role TO user
    if (token.kind === 'word') words.push(token.text);
    else if (token.kind === 'group') columnLevel = true;
    else if (token.kind === 'punct' && token.text === ',') flush();
    else return undefined;
  }
  flush();
  if (i >= tokens.length || privileges.length === 0) return undefined;
  i += 1; // ON
  if (isWord(tokens[i], 'TABLE')) i += 1;
  if (isWord(tokens[i], 'FUNCTION', 'PROCEDURE', 'PACKAGE')) return undefined;

  const part = (token: Token | undefined): string | null | undefined => {
    if (token?.kind === 'punct' && token.text === '*') return null;
    if (token?.kind === 'ident' || token?.kind === 'word') return token.text;
    return undefined;
  };
  const schema = part(tokens[i]);
  const dot = tokens[i + 1];
  if (schema === undefined || dot?.kind !== 'punct' || dot.text !== '.') return undefined;
  const table = part(tokens[i + 2]);
  if (table === undefined || !isWord(tokens[i + 3], 'TO', 'FROM')) return undefined;
  if (schema === null && table !== null) return undefined;
  return { revoke, privileges, schema, table };
}

export function parseGrants(lines: readonly string[]): GrantEntry[] {
  return lines.map(parseGrant).filter((entry): entry is GrantEntry => entry !== undefined);
}

/** A schema name in a schema-level grant is a LIKE pattern: % and _ are wildcards, \ escapes. */
export function schemaPatternMatches(pattern: string, schema: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] as string;
    if (char === '\\' && i + 1 < pattern.length) {
      i += 1;
      regex += escapeRegex(pattern[i] as string);
    } else if (char === '%') {
      regex += '.*';
    } else if (char === '_') {
      regex += '.';
    } else {
      regex += escapeRegex(char);
    }
  }
  return new RegExp(`^${regex}$`, 's').test(schema);
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Privileges that ALL does not include. */
const NOT_IN_ALL = new Set(['GRANT OPTION', 'PROXY']);

const grants = (entry: GrantEntry, names: readonly string[]): boolean =>
  entry.privileges.some((p) => names.includes(p) || (p === 'ALL' && !names.some((n) => NOT_IN_ALL.has(n))));

/**
 * Whether the grants give one of `names` (spellings of one privilege): globally when `on` is
 * left out, else on that schema (every table of it) or that table.
 */
export function holdsPrivilege(entries: readonly GrantEntry[], names: readonly string[], on?: { schema: string; table?: string } | TableRef): boolean {
  const held = entries.filter((entry) => !entry.revoke && grants(entry, names));
  if (held.some((entry) => entry.schema === null)) {
    const revoked = on !== undefined && entries.some((entry) => entry.revoke && entry.table === null && entry.schema === on.schema && grants(entry, names));
    if (!revoked) return true;
  }
  if (on === undefined) return false;
  return held.some((entry) => {
    if (entry.schema === null) return false;
    if (entry.table === null) return schemaPatternMatches(entry.schema, on.schema);
    return on.table !== undefined && entry.schema === on.schema && entry.table === on.table;
  });
}
