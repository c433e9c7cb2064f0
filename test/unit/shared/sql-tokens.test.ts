import { describe, expect, it } from 'vitest';
import { isKeyword, tokenize } from '../../../shared/mysql/sql-tokens.ts';

const values = (sql: string): string[] => tokenize(sql).map((t) => t.value);

describe('tokenize', () => {
  it('drops comments of every form', () => {
    expect(values('TRUNCATE /* nightly */ TABLE t')).toEqual(['TRUNCATE', 'TABLE', 't']);
    expect(values('ALTER -- why\nTABLE # and why not\n t -- last')).toEqual(['ALTER', 'TABLE', 't']);
    expect(values('/* a */ /* b *//* c */DROP/**/TABLE/* d */t')).toEqual(['DROP', 'TABLE', 't']);
    expect(values('SELECT 1 /* unterminated')).toEqual(['SELECT', '1']);
  });

  it('keeps "--" that is not followed by a space: an operator, not a comment', () => {
    expect(values('SELECT 1--1')).toEqual(['SELECT', '1', '-', '-', '1']);
    expect(values('SELECT 1 --')).toEqual(['SELECT', '1']);
  });

  it('lexes the content of versioned comments (/*!...*/ and MariaDB /*M!...*/) as code', () => {
    expect(values('ALTER /*!50001 IGNORE */ TABLE t')).toEqual(['ALTER', 'IGNORE', 'TABLE', 't']);
    expect(values('/*!40000 ALTER TABLE `t` DISABLE KEYS */')).toEqual(['ALTER', 'TABLE', 't', 'DISABLE', 'KEYS']);
    expect(values('DROP /*!40005 TEMPORARY */ TABLE t')).toEqual(['DROP', 'TEMPORARY', 'TABLE', 't']);
    expect(values('CREATE /*M!100100 OR REPLACE */ TABLE t (a INT)')).toEqual(['CREATE', 'OR', 'REPLACE', 'TABLE', 't', '(', 'a', 'INT', ')']);
    expect(values('/*! ALTER */ TABLE t')).toEqual(['ALTER', 'TABLE', 't']);
    expect(values('ALTER TABLE t /*!50001 ADD c INT */, /*M!100100 ADD d INT */ /* ADD e INT */')).toEqual(['ALTER', 'TABLE', 't', 'ADD', 'c', 'INT', ',', 'ADD', 'd', 'INT']);
  });

  it('reads quoted identifiers and strings, with doubled quotes and escapes', () => {
    const tokens = tokenize("RENAME TABLE `a``b`.`c d` TO x, 'it''s', \"q\"\"r\", 'e\\'f'");
    expect(tokens.map((t) => [t.type, t.value])).toEqual([
      ['word', 'RENAME'], ['word', 'TABLE'], ['quoted', 'a`b'], ['symbol', '.'], ['quoted', 'c d'], ['word', 'TO'], ['word', 'x'], ['symbol', ','],
      ['string', "it's"], ['symbol', ','], ['string', 'q"r'], ['symbol', ','], ['string', "e\\'f"],
    ]);
    expect(tokens.find((t) => t.value === 'q"r')?.doubleQuoted).toBe(true);
    // Comment markers inside quotes are text.
    expect(values("ALTER TABLE t COMMENT '/* x */ -- y # z'")).toEqual(['ALTER', 'TABLE', 't', 'COMMENT', '/* x */ -- y # z']);
    expect(values('DROP TABLE `/*`, `#`')).toEqual(['DROP', 'TABLE', '/*', ',', '#']);
  });

  it('gives each token its span in the text, also inside versioned comments', () => {
    const sql = 'ALTER /*!50001 TABLE `s`.t */ ADD c INT';
    for (const token of tokenize(sql)) expect(sql.slice(token.start, token.end)).toMatch(token.type === 'quoted' ? /^`.*`$/ : new RegExp(`^${token.value.replace(/[.*]/g, '\\$&')}$`));
    expect(tokenize(sql).map((t) => sql.slice(t.start, t.end))).toEqual(['ALTER', 'TABLE', '`s`', '.', 't', 'ADD', 'c', 'INT']);
  });

  it('reads unquoted names with $, digits and characters beyond ASCII as one word', () => {
    expect(values('TRUNCATE t$1.2abc_é')).toEqual(['TRUNCATE', 't$1', '.', '2abc_é']);
  });

  it('compares keywords in any case', () => {
    const [token] = tokenize('tRuNcAtE');
    expect(isKeyword(token, 'TRUNCATE')).toBe(true);
    expect(isKeyword(tokenize('`truncate`')[0], 'TRUNCATE')).toBe(false);
  });
});
