/**
 * A lexer for the MySQL/MariaDB statement text found in binlog query events: enough to
 * classify a statement and find the names in it, not a grammar. Comments (`/* *\/`, `-- `,
 * `#`) are dropped, except versioned ones: `/*!50001 ... *\/` (MySQL and MariaDB) and
 * `/*M!100100 ... *\/` (MariaDB) are code the server ran, so their content is lexed like the
 * rest. The version is not compared: the source ran the statement, and a versioned part it
 * skipped (a version above its own) is rare enough to err on the side of reading it. A MySQL
 * source skips `/*M!` parts too; they are read all the same, for the same reason.
 *
 * Limits, on purpose: a string in double quotes is a string (under ANSI_QUOTES it would be an
 * identifier: callers that look for names treat it as a possible one); backslash escapes are
 * honoured in strings (NO_BACKSLASH_ESCAPES would end a string at `\'`).
 */

export interface SqlToken {
  /**
   * `word`: a keyword, an unquoted identifier or a number; `quoted`: a `backtick` identifier;
   * `string`: '...' or "..."; `symbol`: any other single character (`.`, `,`, `(`, `=`, ...).
   */
  readonly type: 'word' | 'quoted' | 'string' | 'symbol';
  /** The identifier or string without its quotes (doubled quotes undone); a word as written. */
  readonly value: string;
  /** Where the token is in the statement text: `sql.slice(start, end)` is the token as written. */
  readonly start: number;
  readonly end: number;
  /** True for a string in double quotes (an identifier when the session had ANSI_QUOTES). */
  readonly doubleQuoted?: true;
}

/** Characters of an unquoted identifier or number: MySQL also allows U+0080..U+FFFF. */
const WORD = /[A-Za-z0-9_$\u0080-\uffff]+/y;
/** The opening of a versioned comment, version digits included. */
const VERSIONED = /\/\*M?!\d{0,6}/y;

export function tokenize(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  /** Inside a versioned comment: its `*\/` closes it and is not a token. */
  let versioned = false;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    if (/\s/.test(char)) {
      index++;
    } else if (versioned && sql.startsWith('*/', index)) {
      versioned = false;
      index += 2;
    } else if (sql.startsWith('/*', index)) {
      VERSIONED.lastIndex = index;
      const opening = VERSIONED.exec(sql);
      if (opening && !versioned) {
        versioned = true;
        index = VERSIONED.lastIndex;
      } else {
        const end = sql.indexOf('*/', index + 2);
        index = end < 0 ? sql.length : end + 2;
      }
    } else if (char === '#' || (sql.startsWith('--', index) && (index + 2 >= sql.length || /\s/.test(sql[index + 2]!)))) {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end + 1;
    } else if (char === "'" || char === '"' || char === '`') {
      const end = quotedEnd(sql, index);
      const value = unquote(sql.slice(index, end));
      tokens.push({ type: char === '`' ? 'quoted' : 'string', value, start: index, end, ...(char === '"' ? { doubleQuoted: true as const } : {}) });
      index = end;
    } else {
      WORD.lastIndex = index;
      const word = WORD.exec(sql);
      const end = word ? WORD.lastIndex : index + 1;
      tokens.push({ type: word ? 'word' : 'symbol', value: sql.slice(index, end), start: index, end });
      index = end;
    }
  }
  return tokens;
}

/** The index after the quoted string or identifier opening at `start` (doubled quotes; \ escapes in strings). */
function quotedEnd(sql: string, start: number): number {
  const quote = sql[start]!;
  let index = start + 1;
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === '\\' && quote !== '`') {
      index += 2;
    } else if (char === quote) {
      if (sql[index + 1] !== quote) return index + 1;
      index += 2;
    } else {
      index++;
    }
  }
  return sql.length;
}

/** The text inside the quotes, doubled quotes made single (escapes of strings are left as written). */
function unquote(quoted: string): string {
  const quote = quoted[0]!;
  const closed = quoted.length >= 2 && quoted.endsWith(quote);
  return quoted.slice(1, closed ? -1 : undefined).split(quote + quote).join(quote);
}

/** True when the token is the keyword `word` (any case). */
export function isKeyword(token: SqlToken | undefined, ...words: string[]): boolean {
  return token !== undefined && token.type === 'word' && words.includes(token.value.toUpperCase());
}
