import { FerryError } from '../../shared/errors/index.ts';
import { clientTls, serverTls, type ClientTls, type ServerTls, type TlsFiles } from '../../shared/tls/tls-options.ts';

/** Both ends of a node's pipe TLS: its server (load side) and its client (select side). */
export interface PipeTls {
  readonly server: ServerTls;
  readonly client: ClientTls;
}

/**
 * A node's pipe TLS from --pipe-tls-cert, --pipe-tls-key and --pipe-ca, or undefined for plain
 * TCP when none is given. A node is server and client of pipes alike, so one certificate
 * serves both (it needs serverAuth and clientAuth usages when it lists any). With a CA, the
 * server demands client certificates that CA signed (mutual TLS) and the client trusts only
 * that CA; without one, the client trusts the system's CAs and the server asks for no
 * client certificate. Files are read and checked here, once.
 */
export function pipeTls(files: TlsFiles): PipeTls | undefined {
  if (files.cert === undefined && files.key === undefined && files.ca === undefined) return undefined;
  if (files.cert === undefined || files.key === undefined) {
    throw new FerryError('FERRY_ERR_TLS_FILE_INVALID', { side: 'node pipe', detail: 'pipe TLS needs --pipe-tls-cert and --pipe-tls-key (every node serves the pipe), and --pipe-ca for mutual TLS' });
  }
  return { server: serverTls(files, 'node pipe'), client: clientTls(files, 'node pipe') };
}
