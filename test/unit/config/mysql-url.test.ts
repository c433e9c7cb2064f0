import { describe, expect, it } from 'vitest';
import { checkMysqlUrl, describeEndpoint, formatMysqlUrl, parseMysqlUrl } from '../../../shared/config/mysql-url.ts';
import { isFerryError } from '../../../shared/errors/index.ts';

function problemOf(url: string): string {
  const result = checkMysqlUrl(url);
  if (result.ok) throw new Error(`expected ${url} to be refused`);
  return result.problem;
}

describe('mysql:// URLs', () => {
  it('parses user, password, host and port', () => {
    expect(parseMysqlUrl('mysql://repl:secret@db1.example.com:3307')).toEqual({ host: 'db1.example.com', port: 3307, user: 'repl', password: 'secret' });
  });

  it('defaults the port to 3306 and the password to empty, and takes mariadb:// and a trailing slash', () => {
    expect(parseMysqlUrl('mariadb://root@127.0.0.1/')).toEqual({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  });

  it('percent-decodes user and password and splits at the last @', () => {
    expect(parseMysqlUrl('mysql://us%20er:p%40ss%3Aw%2Fd@h:1')).toMatchObject({ user: 'us er', password: 'p@ss:w/d' });
    expect(parseMysqlUrl('mysql://u:p@ss@h:1')).toMatchObject({ user: 'u', password: 'p@ss', host: 'h' });
  });

  it('takes IPv6 addresses in brackets', () => {
    expect(parseMysqlUrl('mysql://u:p@[::1]:3310')).toMatchObject({ host: '::1', port: 3310 });
    expect(parseMysqlUrl('mysql://u:p@[fe80::1]')).toMatchObject({ host: 'fe80::1', port: 3306 });
  });

  it.each([
    ['http://u:p@h:1', /must start with mysql:\/\//],
    ['mysql://h:3306', /has no user/],
    ['mysql://:p@h:3306', /empty user name/],
    ['mysql://u:p%zz@h:3306', /percent-encoding in the password/],
    ['mysql://u:p@:3306', /has no host/],
    ['mysql://u:p@h:0', /port that is not a number from 1 to 65535/],
    ['mysql://u:p@h:65536', /port that is not a number/],
    ['mysql://u:p@h:33x', /port that is not a number/],
    ['mysql://u:p@h:3306/shop', /path or fragment/],
    ['mysql://u:p@h:3306?ssl=1', /unknown parameter/],
    ['mysql://u:p@::1:3306', /write IPv6 addresses in brackets/],
    ['mysql://u:p@ho st:3306', /not a valid host name/],
  ])('refuses %s', (url, problem) => {
    expect(problemOf(url)).toMatch(problem);
  });

  it('never puts the password in the problem or the thrown error', () => {
    const urls = ['mysql://u:Sup3rS3cret@h:99999', 'mysql://u:Sup3rS3cret%@h:1', 'mysql://u:Sup3rS3cret@h:1/db', 'postgres://u:Sup3rS3cret@h'];
    for (const url of urls) {
      expect(problemOf(url)).not.toContain('Sup3rS3cret');
      try {
        parseMysqlUrl(url, 'source');
        expect.unreachable();
      } catch (error) {
        expect(isFerryError(error, 'FERRY_ERR_CONFIG_INVALID')).toBe(true);
        expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details })).not.toContain('Sup3rS3cret');
        expect((error as Error).message).toMatch(/^invalid configuration: 1 problem: \(spec\): source /);
      }
    }
  });

  it('formats with the password redacted by default, and round-trips with it included', () => {
    const endpoint = { host: '::1', port: 3310, user: 'a@b', password: 'p@ss/w:rd%' };
    expect(formatMysqlUrl(endpoint)).toBe('mysql://a%40b:***@[::1]:3310');
    expect(formatMysqlUrl(endpoint, { password: 'omit' })).toBe('mysql://a%40b@[::1]:3310');
    expect(parseMysqlUrl(formatMysqlUrl(endpoint, { password: 'include' }))).toEqual(endpoint);
    expect(describeEndpoint({ host: 'db1', port: 3306 })).toBe('db1:3306');
  });
});
