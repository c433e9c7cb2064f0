import { FerryError } from '../shared/errors/index.ts';
import { clientTls, type ClientTls } from '../shared/tls/tls-options.ts';
import type { UsageProblems } from './command.ts';

/** Usage lines of the TLS flags, beside each command's own. */
export const MANAGER_TLS_USAGE = `  --tls-cert FILE          serve the API over HTTPS only, with this PEM certificate
                           (and its intermediates); nodes and clients then need https://
  --tls-key FILE           the certificate's private key (PEM, not encrypted)`;
export const CA_USAGE = `  --ca FILE                PEM CA that signed the managers' certificates, for managers
                           serving https:// with a private CA (default: env FERRY_CA_FILE,
                           else the system's CAs)`;

/** --tls-cert and --tls-key: both or neither. */
export function managerTlsFiles(cert: string | undefined, key: string | undefined, problems: UsageProblems): { cert: string; key: string } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined || cert === '' || key === '') {
    problems.add('--tls-cert and --tls-key go together: give the certificate and its private key');
    return undefined;
  }
  return { cert, key };
}

/**
 * TLS for calling managers: the CA from --ca, else FERRY_CA_FILE, read and checked now (a bad
 * file stops the command at start, naming it); undefined when neither is given.
 */
export function managerClientTls(caFlag: string | undefined, side: string): ClientTls | undefined {
  const ca = caFlag ?? (process.env.FERRY_CA_FILE || undefined);
  if (ca === undefined) return undefined;
  if (ca === '') throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--ca takes a file' });
  return clientTls({ ca }, side);
}
