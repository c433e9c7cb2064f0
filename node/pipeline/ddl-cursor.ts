import type { TableRef } from '../../shared/model/change.ts';
import { isKeyword, type SqlToken } from '../../shared/mysql/sql-tokens.ts';

/** A table name in a statement, with its span in the statement text. */
export type NamedTable = TableRef & {
  start: number;
  end: number;
  /** A table the statement only reads (the template of CREATE TABLE ... LIKE): renamed, but it does not make the statement one on a replicated table. */
  read?: true;
};

/** Modifiers that may sit between the first word and the object keyword. */
const CREATE_MODIFIERS = new Set(['TEMPORARY', 'ONLINE', 'OFFLINE', 'IGNORE', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'AGGREGATE']);

/** A cursor over the tokens of one statement. */
export class StatementCursor {
  index = 0;
  constructor(readonly list: SqlToken[]) {}

  get peek(): SqlToken | undefined {
    return this.list[this.index];
  }

  /** Consumes the keywords in order if all are there; true when it did. */
  take(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!isKeyword(this.list[this.index + k], words[k]!)) return false;
    this.index += words.length;
    return true;
  }

  symbol(char: string): boolean {
    const token = this.peek;
    if (token?.type !== 'symbol' || token.value !== char) return false;
    this.index++;
    return true;
  }

  /** A table name (`t`, `s.t`, quoted or not) at the cursor, consumed; undefined if there is none. */
  name(defaultSchema: string, read = false): NamedTable | undefined {
    const first = this.list[this.index];
    if (first?.type !== 'word' && first?.type !== 'quoted') return undefined;
    const dot = this.list[this.index + 1];
    const second = this.list[this.index + 2];
    if (dot?.type === 'symbol' && dot.value === '.' && (second?.type === 'word' || second?.type === 'quoted')) {
      this.index += 3;
      return { schema: first.value, table: second.value, start: first.start, end: second.end, ...(read ? { read: true as const } : {}) };
    }
    this.index++;
    return { schema: defaultSchema, table: first.value, start: first.start, end: first.end, ...(read ? { read: true as const } : {}) };
  }

  /** Skips `DEFINER = user`, `ALGORITHM = x`, `SQL SECURITY x`, `OR REPLACE` and modifiers; returns the modifiers seen. */
  skipOptions(): Set<string> {
    const seen = new Set<string>();
    for (;;) {
      if (this.take('OR', 'REPLACE')) continue;
      if (this.take('SQL', 'SECURITY')) {
        this.index++;
        continue;
      }
      if (this.take('DEFINER') || this.take('ALGORITHM')) {
        this.symbol('=');
        // user, 'user'@'host', `user`@`host`, CURRENT_USER, CURRENT_USER(), or the algorithm.
        this.index++;
        if (this.symbol('(')) this.symbol(')');
        if (this.peek?.type === 'symbol' && this.peek.value === '@') this.index += 2;
        continue;
      }
      const word = this.peek;
      if (word?.type === 'word' && CREATE_MODIFIERS.has(word.value.toUpperCase())) {
        seen.add(word.value.toUpperCase());
        this.index++;
        continue;
      }
      return seen;
    }
  }

  /** The index of the next keyword `word` outside parentheses, from the cursor on; -1 if none. */
  find(word: string, from = this.index): number {
    let depth = 0;
    for (let k = from; k < this.list.length; k++) {
      const token = this.list[k]!;
      if (token.type === 'symbol' && token.value === '(') depth++;
      else if (token.type === 'symbol' && token.value === ')') depth--;
      else if (depth === 0 && isKeyword(token, word)) return k;
    }
    return -1;
  }
}
