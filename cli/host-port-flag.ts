import { FerryError } from '../shared/errors/index.ts';
import { parseHostPort } from '../shared/host-port.ts';

/** `HOST:PORT` of a flag (IPv6 as `[::1]:PORT`), or a usage error naming the flag. Port 0 only when `allowZero` (a free port). */
export function hostPortFlag(value: string, flag: string, allowZero = false): { host: string; port: number } {
  const parsed = parseHostPort(value);
  if (parsed === undefined || (parsed.port === 0 && !allowZero)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes HOST:PORT (port ${allowZero ? '0' : '1'}-65535), got '${value}'` });
  }
  return parsed;
}
