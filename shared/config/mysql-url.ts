import { checkTlsFields, type MysqlTls, type TlsFields } from './mysql-tls.ts';
import { configInvalid } from './pipeline-spec.ts';

/**
 * `mysql://user:password@host:port` connection URLs: the quick form of `ferry run` and the
 * string form of `source` / `target` in a pipeline file.
 *
 * Contract: no message this module produces ever contains the password or the raw URL (which
 * may hold it); the `mysql:` scheme and `mariadb:` alias are both accepted; user and password
 * are percent-decoded; the port defaults to 3306; IPv6 hosts are written in brackets. The
 * query takes MySQL's TLS options only (`?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ferry/ca.pem`,
 * also `ssl-cert`, `ssl-key`; see mysql-tls.ts), values percent-decoded.
 */

/** Where a database listens and who Ferry logs in as. */
export interface MysqlEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** TLS settings; absent: DEFAULT_SSL_MODE (mysql-tls.ts) and no files. */
  readonly tls?: MysqlTls;
}

export const DEFAULT_MYSQL_PORT = 3306;

const SCHEMES = ['mysql://', 'mariadb://'];
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const IPV6 = /^\[([0-9A-Fa-f:.]+)\]$/;

export type MysqlUrlResult = { ok: true; endpoint: MysqlEndpoint } | { ok: false; problem: string };

/**
 * Parses a URL without throwing; `problem` says what is wrong in words that never quote
 * the user's text, so it is safe for logs and error messages.
 */
export function checkMysqlUrl(text: string): MysqlUrlResult {
  const scheme = SCHEMES.find((s) => text.toLowerCase().startsWith(s));
  if (scheme === undefined) return fail('must start with mysql:// (the form is mysql://user:password@host:port)');
  const rest = text.slice(scheme.length);
  // The last '@' ends the credentials, so an unencoded '@' in a password still parses.
  const at = rest.lastIndexOf('@');
  if (at < 0) return fail('has no user (the form is mysql://user:password@host:port)');
  const credentials = splitCredentials(rest.slice(0, at));
  if (!credentials.ok) return credentials;
  const afterAt = rest.slice(at + 1);
  const question = afterAt.indexOf('?');
  const address = splitAddress(question < 0 ? afterAt : afterAt.slice(0, question));
  if (!address.ok) return address;
  const tls = question < 0 ? { ok: true as const, tls: undefined } : splitQuery(afterAt.slice(question + 1));
  if (!tls.ok) return tls;
  return { ok: true, endpoint: { ...address.value, ...credentials.value, ...(tls.tls === undefined ? {} : { tls: tls.tls }) } };
}

/**
 * Parses a URL or throws FERRY_ERR_CONFIG_INVALID. `what` names the URL in the message
 * (for example 'source').
 */
export function parseMysqlUrl(text: string, what = 'URL'): MysqlEndpoint {
  const result = checkMysqlUrl(text);
  if (result.ok) return result.endpoint;
  throw configInvalid([{ path: '', message: `${what} ${result.problem}` }]);
}

export interface FormatOptions {
  /**
   * What to write for the password: `redact` writes `***` (safe for logs and screens),
   * `include` writes it percent-encoded, `omit` leaves it out.
   * @default 'redact'
   */
  password?: 'redact' | 'include' | 'omit';
}

/** The URL of an endpoint; parseMysqlUrl(formatMysqlUrl(e, { password: 'include' })) equals e. */
export function formatMysqlUrl(endpoint: MysqlEndpoint, options: FormatOptions = {}): string {
  const mode = options.password ?? 'redact';
  const user = encodeURIComponent(endpoint.user);
  const secret = mode === 'omit' || endpoint.password === '' ? '' : `:${mode === 'include' ? encodeURIComponent(endpoint.password) : '***'}`;
  return `mysql://${user}${secret}@${describeEndpoint(endpoint)}${formatTls(endpoint.tls)}`;
}

function formatTls(tls: MysqlTls | undefined): string {
  if (tls === undefined) return '';
  const pairs: [string, string | undefined][] = [['ssl-mode', tls.mode], ['ssl-ca', tls.ca], ['ssl-cert', tls.cert], ['ssl-key', tls.key]];
  return `?${pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v ?? '')}`).join('&')}`;
}

const QUERY_FIELDS: Record<string, keyof TlsFields> = { 'ssl-mode': 'mode', 'ssl-ca': 'ca', 'ssl-cert': 'cert', 'ssl-key': 'key' };

function splitQuery(query: string): { ok: true; tls: MysqlTls | undefined } | { ok: false; problem: string } {
  const fields: TlsFields = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase().replace(/_/g, '-');
    const field = QUERY_FIELDS[name];
    // Only known names are echoed: an unknown one may be a password pasted in the wrong place.
    if (field === undefined) return fail(`has an unknown parameter; Ferry takes ${Object.keys(QUERY_FIELDS).join(', ')}`);
    if (fields[field] !== undefined) return fail(`gives ${name} twice`);
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    if (value === undefined) return fail(`has a bad percent-encoding in ${name}`);
    fields[field] = value;
  }
  const checked = checkTlsFields(fields);
  if (!checked.ok) return fail(checked.problems.map((p) => `${p.field} ${p.message}`).join('; '));
  return checked;
}

/** `host:port` (IPv6 in brackets), for messages such as FERRY_ERR_SOURCE_UNREACHABLE. */
export function describeEndpoint(endpoint: Pick<MysqlEndpoint, 'host' | 'port'>): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}

/** Why a host (name, IPv4 or bare IPv6 address) is not valid, or undefined when it is. */
export function hostProblem(host: string): string | undefined {
  // An IPv6 address has at least two colons; 'db1:3306' is a host with a port glued on.
  if (/:.*:/.test(host)) return /^[0-9A-Fa-f:.]+$/.test(host) ? undefined : 'is not a valid IPv6 address';
  return HOST_NAME.test(host) ? undefined : 'is not a valid host name or address';
}

function fail(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}

function splitCredentials(userinfo: string): { ok: true; value: { user: string; password: string } } | { ok: false; problem: string } {
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? '' : userinfo.slice(colon + 1);
  const user = decode(rawUser);
  if (user === undefined) return fail('has a bad percent-encoding in the user name');
  if (user === '') return fail('has an empty user name (the form is mysql://user:password@host:port)');
  const password = decode(rawPassword);
  if (password === undefined) return fail('has a bad percent-encoding in the password (write % as %25)');
  return { ok: true, value: { user, password } };
}

function splitAddress(text: string): { ok: true; value: { host: string; port: number } } | { ok: false; problem: string } {
  // One trailing slash is harmless; a database name or fragment is not used by Ferry.
  const address = text.endsWith('/') ? text.slice(0, -1) : text;
  if (/[/?#]/.test(address)) {
    return fail('has a path or fragment after host:port; Ferry takes none (name tables under `tables`; percent-encode / ? # in passwords)');
  }
  let host: string;
  let portText: string | undefined;
  const bracket = address.startsWith('[') ? address.indexOf(']') : -1;
  if (bracket > 0) {
    const v6 = IPV6.exec(address.slice(0, bracket + 1));
    if (!v6?.[1]) return fail('has a bad IPv6 address');
    host = v6[1];
    const after = address.slice(bracket + 1);
    if (after !== '' && !after.startsWith(':')) return fail('has text after the IPv6 address that is not :port');
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const parts = address.split(':');
    if (parts.length > 2) return fail('has more than one ":" after the host (write IPv6 addresses in brackets: [::1]:3306)');
    host = parts[0] ?? '';
    portText = parts[1];
    if (host === '') return fail('has no host (the form is mysql://user:password@host:port)');
    if (hostProblem(host) !== undefined) return fail('has a host that is not a valid host name or address');
  }
  if (portText === undefined) return { ok: true, value: { host, port: DEFAULT_MYSQL_PORT } };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return fail('has a port that is not a number from 1 to 65535');
  return { ok: true, value: { host, port: Number(portText) } };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
