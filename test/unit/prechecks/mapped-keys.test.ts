import { describe, expect, it } from 'vitest';
import { mappedKeyProblem, type ColumnType, type IndexInfo, type MappedTableRef } from '../../../node/prechecks/index.ts';

type Part = [string, boolean?, number?];
const index = (name: string, parts: Part[], unique = true): IndexInfo => ({
  name, unique, columns: parts.map(([column, nullable = false, prefix]) => ({ name: column, nullable, ...(prefix === undefined ? {} : { prefix }) })),
});
const mapped = (map: (name: string) => string | undefined = (name) => name): MappedTableRef => ({ source: { schema: 'a', table: 't' }, target: { schema: 'b', table: 't' }, mapColumn: map });
const codeOf = (error: unknown) => (error as { code?: string } | undefined)?.code;

describe('mappedKeyProblem', () => {
  const columns = ['id', 'code', 'v'];
  const pk = index('PRIMARY', [['id']]);

  it('accepts the same key on both sides, and a key column renamed to the target key', () => {
    expect(mappedKeyProblem(mapped(), columns, [pk], [pk])).toBeUndefined();
    const renamed = mapped((name) => (name === 'id' ? 'person_id' : name));
    expect(mappedKeyProblem(renamed, columns, [pk], [index('PRIMARY', [['PERSON_ID']])])).toBeUndefined();
  });

  it('refuses a rule that leaves out a target key column, naming the key', () => {
    const problem = mappedKeyProblem(mapped((name) => (name === 'id' ? undefined : name)), columns, [pk], [pk]);
    expect(codeOf(problem)).toBe('FERRY_ERR_MAPPING_DROPS_KEY');
    expect(problem?.message).toBe("the table rule for `a`.`t` -> `b`.`t` leaves out the target key (PRIMARY (id)): no source column fills 'id'");
    // A rename away from the target's key column drops it just the same.
    expect(codeOf(mappedKeyProblem(mapped((name) => (name === 'id' ? 'other' : name)), columns, [pk], [pk]))).toBe('FERRY_ERR_MAPPING_DROPS_KEY');
  });

  it('accepts a rule that leaves out the primary key when it keeps a NOT NULL unique key whole, and names every key otherwise', () => {
    const target = [pk, index('u_v', [['v', true]]), index('u_code', [['code']])];
    const noId = mapped((name) => (name === 'id' ? undefined : name));
    expect(mappedKeyProblem(noId, columns, [pk, index('u_code', [['code']])], target)).toBeUndefined();
    const neither = mappedKeyProblem(mapped((name) => (name === 'v' ? name : undefined)), columns, [pk], target);
    expect(neither?.message).toBe("the table rule for `a`.`t` -> `b`.`t` leaves out the target key (PRIMARY (id)): no source column fills 'id', nor every column of u_code (code)");
  });

  it('judges the key the loader applies by: without a primary key, the first unique key over NOT NULL columns', () => {
    const target = [index('u_null', [['v', true]]), index('u_code', [['code']])];
    const source = [pk, index('u_code', [['code']])];
    expect(mappedKeyProblem(mapped(), columns, source, target)).toBeUndefined();
    expect(codeOf(mappedKeyProblem(mapped((name) => (name === 'code' ? undefined : name)), columns, source, target))).toBe('FERRY_ERR_MAPPING_DROPS_KEY');
  });

  it('refuses a target key that holds no source key, and accepts one that holds a source key with more columns', () => {
    const problem = mappedKeyProblem(mapped(), columns, [pk], [index('PRIMARY', [['code']])]);
    expect(codeOf(problem)).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(problem?.message).toBe('the target key of `a`.`t` -> `b`.`t` (PRIMARY (code)) does not identify a source row: it holds no source key whole (source keys: PRIMARY (id))');
    expect(mappedKeyProblem(mapped(), columns, [pk], [index('PRIMARY', [['id'], ['code']])])).toBeUndefined();
    // A nullable source unique key is no key: NULLs repeat.
    expect(codeOf(mappedKeyProblem(mapped(), columns, [pk, index('u_code', [['code', true]])], [index('PRIMARY', [['code']])]))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
  });

  it('refuses a target prefix key shorter than the source key it stands for', () => {
    const source = [index('PRIMARY', [['code']])];
    expect(codeOf(mappedKeyProblem(mapped(), columns, source, [index('PRIMARY', [['code', false, 10]])]))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(mappedKeyProblem(mapped(), columns, [index('PRIMARY', [['code', false, 10]])], [index('PRIMARY', [['code', false, 12]])])).toBeUndefined();
    expect(mappedKeyProblem(mapped(), columns, [index('PRIMARY', [['code', false, 10]])], [index('PRIMARY', [['code']])])).toBeUndefined();
  });

  it('leaves a source without a key, and a target without one, to the checks that report them', () => {
    expect(mappedKeyProblem(mapped(), columns, [], [pk])).toBeUndefined();
    expect(mappedKeyProblem(mapped(), columns, [pk], [])).toBeUndefined();
  });
});

describe('checkMappedKeys', () => {
  it('skips a table whose columns the source user cannot see, instead of taking its key for dropped', async () => {
    const { checkMappedKeys } = await import('../../../node/prechecks/index.ts');
    const { fakeSql } = await import('./fake-sql.ts');
    const target = fakeSql([
      [/^SHOW INDEX FROM `b`\.`t`/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '', Sub_part: null }]],
      [/information_schema\.COLUMNS/, [{ name: 'id', collation: null, type: 'int(11)' }]],
    ]);
    const source = fakeSql([[/information_schema\.COLUMNS/, []]]);
    await expect(checkMappedKeys(source, target, [mapped()])).resolves.toBeUndefined();
    expect(source.asked.some((sql) => sql.startsWith('SHOW INDEX'))).toBe(false);
  });

  it('refuses two source tables mapped into one target table, naming both', async () => {
    const { checkMappedKeys } = await import('../../../node/prechecks/index.ts');
    const { fakeSql } = await import('./fake-sql.ts');
    const target = fakeSql([[/^SHOW INDEX FROM `all`\.`orders`/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '', Sub_part: null }]]]);
    const shard = (schema: string): MappedTableRef => ({ source: { schema, table: 'orders' }, target: { schema: 'all', table: 'orders' }, mapColumn: (name) => name });
    let error: unknown;
    try {
      await checkMappedKeys(fakeSql([]), target, [shard('shop_1'), shard('shop_2')]);
    } catch (caught) {
      error = caught;
    }
    expect(codeOf(error)).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect((error as Error).message).toBe('the target key of `all`.`orders` (PRIMARY (id)) does not identify a source row: the table rules send `shop_1`.`orders` and `shop_2`.`orders` into it, and a key in more than one of them would be one target row');
  });
});

describe('mappedKeyProblem: key columns that tell fewer values apart on the target', () => {
  const pk = index('PRIMARY', [['name']]);
  const text = (collation: string): ColumnType => ({ collation, type: 'varchar(20)' });
  const plain: ColumnType = { collation: null, type: 'int(11)' };
  const collations = (source: string, target: string) => ({ source: new Map([['name', text(source)], ['v', plain]]), target: new Map([['NAME', text(target)], ['v', plain]]) });

  it('refuses a target key column that compares more coarsely than the source one', () => {
    const problem = mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_bin', 'utf8mb4_general_ci'));
    expect(codeOf(problem)).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(problem?.message).toContain("compared more coarsely: 'name' (utf8mb4_bin on the source, utf8mb4_general_ci on the target)");
    expect(codeOf(mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_general_ci', 'utf8mb4_unicode_ci')))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(codeOf(mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_nopad_bin', 'utf8mb4_bin')))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
  });

  it('accepts the same collation, or a binary one on the target', () => {
    expect(mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_general_ci', 'utf8mb4_general_ci'))).toBeUndefined();
    expect(mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_general_ci', 'utf8mb4_bin'))).toBeUndefined();
    expect(mappedKeyProblem(mapped(), ['name', 'v'], [pk], [pk], collations('utf8mb4_nopad_bin', 'utf8mb4_nopad_bin'))).toBeUndefined();
  });

  it('refuses fewer fractional digits in a DECIMAL or temporal key column, and accepts more', () => {
    const typed = (source: string, target: string) => ({ source: new Map([['name', { collation: null, type: source }]]), target: new Map([['name', { collation: null, type: target }]]) });
    const problem = mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('datetime(6)', 'datetime'));
    expect(codeOf(problem)).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(problem?.message).toContain("compared more coarsely: 'name' (datetime(6) on the source, datetime on the target)");
    expect(codeOf(mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('decimal(10,4)', 'decimal(12,2)')))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(codeOf(mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('double', 'float')))).toBe('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE');
    expect(mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('timestamp(3)', 'timestamp(6)'))).toBeUndefined();
    expect(mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('decimal(10,2)', 'decimal(20,2)'))).toBeUndefined();
    expect(mappedKeyProblem(mapped(), ['name'], [pk], [pk], typed('int(11)', 'bigint(20)'))).toBeUndefined();
  });
});
