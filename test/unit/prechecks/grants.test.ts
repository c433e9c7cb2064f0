import { describe, expect, it } from 'vitest';
import { parseFlavorTraits } from '../../../node/prechecks/flavor-traits.ts';
import { holdsPrivilege, parseGrant, parseGrants, schemaPatternMatches } from '../../../node/prechecks/grants.ts';
import { grantStatements, missingOnSource, missingOnTarget } from '../../../node/prechecks/privileges.ts';

const mariadb = parseFlavorTraits('10.11.19-MariaDB-0+deb12u1-log');
const mysql = parseFlavorTraits('8.0.36');

describe('parseGrant', () => {
  it('reads global, schema and table grants as MariaDB prints them', () => {
    expect(parseGrant("GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `ferry_repl`@`%` IDENTIFIED BY PASSWORD '*BCBB'"))
      .toEqual({ revoke: false, privileges: ['SELECT', 'REPLICATION SLAVE', 'BINLOG MONITOR'], schema: null, table: null });
    expect(parseGrant('GRANT ALL PRIVILEGES ON *.* TO `ferry`@`%` WITH GRANT OPTION'))
      .toEqual({ revoke: false, privileges: ['ALL'], schema: null, table: null });
    expect(parseGrant('GRANT SELECT, INSERT ON `shop`.* TO `app`@`10.0.%`'))
      .toEqual({ revoke: false, privileges: ['SELECT', 'INSERT'], schema: 'shop', table: null });
    expect(parseGrant('GRANT UPDATE ON `shop`.`or``ders` TO `app`@`%`'))
      .toEqual({ revoke: false, privileges: ['UPDATE'], schema: 'shop', table: 'or`ders' });
  });

  it('reads MySQL 8 dynamic privileges, ANSI quotes and partial revokes', () => {
    expect(parseGrant('GRANT BACKUP_ADMIN,REPLICATION_SLAVE_ADMIN ON *.* TO `root`@`localhost`')?.privileges).toEqual(['BACKUP_ADMIN', 'REPLICATION_SLAVE_ADMIN']);
    expect(parseGrant('GRANT SELECT ON "shop".* TO "app"@"%"')).toMatchObject({ schema: 'shop', table: null });
    expect(parseGrant('REVOKE INSERT, DELETE ON `mysql`.* FROM `app`@`%`'))
      .toEqual({ revoke: true, privileges: ['INSERT', 'DELETE'], schema: 'mysql', table: null });
  });

  it('leaves out column privileges but keeps the table privileges beside them', () => {
    expect(parseGrant('GRANT SELECT (`id`, `na,me`), INSERT ON `s1`.`t` TO `u3`@`%`'))
      .toEqual({ revoke: false, privileges: ['INSERT'], schema: 's1', table: 't' });
    expect(parseGrant('GRANT SELECT (`id`) ON `s1`.`t` TO `u3`@`%`')).toBeUndefined();
  });

  it('ignores role grants, PROXY, routines and other statements', () => {
    for (const line of [
      'GRANT `r1` TO `u2`@`%`',
      'GRANT `r1`@`%`,`r2`@`%` TO `u2`@`%`',
      "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
      'GRANT EXECUTE ON PROCEDURE `shop`.`refund` TO `app`@`%`',
      'SET DEFAULT ROLE `r1` FOR `u2`@`%`',
      'GRANT USAGE ON * TO `x`@`%`',
    ]) {
      expect(parseGrant(line), line).toBeUndefined();
    }
  });
});

describe('holdsPrivilege', () => {
  const grants = parseGrants([
    'GRANT USAGE ON *.* TO `u`@`%`',
    'GRANT SELECT ON `s\\_%`.* TO `u`@`%`',
    'GRANT INSERT ON `shop`.`orders` TO `u`@`%`',
    'GRANT REPLICATION CLIENT ON *.* TO `u`@`%`',
  ]);

  it('matches schema grants as LIKE patterns with escapes', () => {
    expect(schemaPatternMatches('s\\_%', 's_1')).toBe(true);
    expect(schemaPatternMatches('s\\_%', 'sx1')).toBe(false);
    expect(schemaPatternMatches('shop_', 'shop1')).toBe(true);
    expect(schemaPatternMatches('a.b', 'axb')).toBe(false);
    expect(holdsPrivilege(grants, ['SELECT'], { schema: 's_orders', table: 'x' })).toBe(true);
    expect(holdsPrivilege(grants, ['SELECT'], { schema: 'shop', table: 'orders' })).toBe(false);
  });

  it('counts table grants only for that table, and never as global', () => {
    expect(holdsPrivilege(grants, ['INSERT'], { schema: 'shop', table: 'orders' })).toBe(true);
    expect(holdsPrivilege(grants, ['INSERT'], { schema: 'shop', table: 'items' })).toBe(false);
    expect(holdsPrivilege(grants, ['INSERT'], { schema: 'shop' })).toBe(false);
    expect(holdsPrivilege(grants, ['INSERT'])).toBe(false);
  });

  it('accepts any spelling of a privilege, and ALL for everything but GRANT OPTION', () => {
    expect(holdsPrivilege(grants, ['BINLOG MONITOR', 'REPLICATION CLIENT'])).toBe(true);
    const all = parseGrants(['GRANT ALL PRIVILEGES ON *.* TO `a`@`%`']);
    expect(holdsPrivilege(all, ['REPLICATION SLAVE'])).toBe(true);
    expect(holdsPrivilege(all, ['DELETE'], { schema: 'x', table: 'y' })).toBe(true);
    expect(holdsPrivilege(all, ['GRANT OPTION'])).toBe(false);
  });

  it('honours a MySQL partial revoke on a schema', () => {
    const partial = parseGrants(['GRANT INSERT ON *.* TO `a`@`%`', 'REVOKE INSERT ON `mysql`.* FROM `a`@`%`']);
    expect(holdsPrivilege(partial, ['INSERT'], { schema: 'shop', table: 't' })).toBe(true);
    expect(holdsPrivilege(partial, ['INSERT'], { schema: 'mysql', table: 'user' })).toBe(false);
  });
});

describe('missing privileges', () => {
  const tables = [{ schema: 'shop', table: 'orders' }, { schema: 'shop', table: 'items' }, { schema: 'crm', table: 'people' }];

  it('names what a source user lacks in flavor terms, and the GRANTs that fix it', () => {
    const onlySlave = parseGrants(['GRANT REPLICATION SLAVE ON *.* TO `r`@`%`', 'GRANT SELECT ON `shop`.* TO `r`@`%`']);
    const missing = missingOnSource(onlySlave, mariadb, tables);
    expect(missing.global).toEqual(['BINLOG MONITOR']);
    expect([...missing.bySchema.keys()]).toEqual(['crm']);
    expect(grantStatements(missing, "'r'@'%'")).toEqual([
      "GRANT BINLOG MONITOR ON *.* TO 'r'@'%';",
      "GRANT SELECT ON `crm`.* TO 'r'@'%';",
    ]);
    expect(missingOnSource(onlySlave, mysql, tables).global).toEqual(['REPLICATION CLIENT']);
    expect(missingOnSource(parseGrants(['GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `r`@`%`']), mariadb, tables))
      .toEqual({ global: [], bySchema: new Map() });
  });

  it('checks every target table and the system schema', () => {
    const grants = parseGrants(['GRANT SELECT, INSERT, UPDATE ON `shop`.* TO `a`@`%`', 'GRANT DELETE ON `shop`.`orders` TO `a`@`%`']);
    const missing = missingOnTarget(grants, tables.slice(0, 2), '_ferry');
    expect(missing.global).toEqual([]);
    expect(missing.bySchema.get('shop')).toEqual({ privileges: new Set(['DELETE']), tables: new Set(['`shop`.`items`']) });
    expect(missing.bySchema.get('_ferry')?.privileges).toEqual(new Set(['CREATE', 'SELECT', 'INSERT', 'UPDATE']));
  });
});
