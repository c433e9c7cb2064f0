import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { FerryError, describeError } from '../errors/index.ts';

/**
 * The certificate files of one end of a TLS connection, as an operator names them. One shape
 * for every TLS endpoint Ferry has or will have: the manager's API (server: cert and key),
 * a node or client calling it (client: ca), and the node-to-node pipe (both ends: cert, key
 * and ca, which makes it mutual).
 */
export interface TlsFiles {
  /** PEM certificate, with its intermediates, that this end presents. A server needs one; a client only for mutual TLS. */
  readonly cert?: string;
  /** PEM private key of `cert` (not encrypted). */
  readonly key?: string;
  /**
   * PEM CA certificates that must have signed the other end's certificate. A client without one
   * trusts the system's CAs; a server given one requires client certificates it signed (mutual TLS).
   */
  readonly ca?: string;
}

/** TLS 1.0 and 1.1 are broken and long deprecated; stated here so that no Node flag lowers it. */
export const TLS_MIN_VERSION = 'TLSv1.2';

/** What node:https and node:tls take for a server (Server options). */
export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly minVersion: typeof TLS_MIN_VERSION;
  /** Mutual TLS: ask for a client certificate and refuse a connection without a valid one. */
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
}

/** What node:https and node:tls take for a client (connect or Agent options). Always verifies. */
export interface ClientTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly minVersion: typeof TLS_MIN_VERSION;
  readonly rejectUnauthorized: true;
}

/**
 * Server options from files, checked at start: an unreadable file is
 * FERRY_ERR_TLS_FILE_UNREADABLE, one that is not what it should be (not PEM, a key of another
 * certificate, an encrypted key) FERRY_ERR_TLS_FILE_INVALID, both naming the file. `side` says
 * whose files they are in the message ('manager', 'node').
 */
export function serverTls(files: TlsFiles, side: string): ServerTls {
  if (files.cert === undefined || files.key === undefined) throw invalid(side, 'a TLS server needs both a certificate and its private key');
  const material = loadTls(files, side);
  return { ...material, cert: material.cert!, key: material.key!, minVersion: TLS_MIN_VERSION, requestCert: files.ca !== undefined, rejectUnauthorized: files.ca !== undefined };
}

/** Client options from files, checked like serverTls's; a certificate and key only come together. */
export function clientTls(files: TlsFiles, side: string): ClientTls {
  if ((files.cert === undefined) !== (files.key === undefined)) throw invalid(side, 'a client certificate needs its private key, and a key its certificate');
  return { ...loadTls(files, side), minVersion: TLS_MIN_VERSION, rejectUnauthorized: true };
}

function loadTls(files: TlsFiles, side: string): { cert?: Buffer; key?: Buffer; ca?: Buffer } {
  const cert = files.cert === undefined ? undefined : readTlsFile('certificate', files.cert, side);
  const key = files.key === undefined ? undefined : readTlsFile('private key', files.key, side);
  const ca = files.ca === undefined ? undefined : readTlsFile('CA', files.ca, side);
  // Node accepts a CA file without a single certificate in it and then trusts nothing:
  // every handshake would fail later with a message that does not name the file.
  if (ca !== undefined) certificates(ca, 'CA', files.ca!, side);
  if (cert !== undefined && key !== undefined) {
    const leaf = certificates(cert, 'certificate', files.cert!, side)[0]!;
    if (!leaf.checkPrivateKey(privateKey(key, files.key!, side))) throw invalid(side, `the private key ${files.key!} does not belong to the certificate ${files.cert!}`);
    // Every peer would refuse it; said here, where the file is named, not at each handshake.
    if (Date.parse(leaf.validTo) < Date.now()) throw invalid(side, `the certificate ${files.cert!} expired on ${leaf.validTo}`);
  }
  try {
    // Whatever else OpenSSL would refuse, refused now rather than at the first handshake.
    createSecureContext({ cert, key, ca, minVersion: TLS_MIN_VERSION });
  } catch (error) {
    throw invalid(side, describeError(error), error);
  }
  return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
}

function readTlsFile(what: string, file: string, side: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new FerryError('FERRY_ERR_TLS_FILE_UNREADABLE', { what, file, side, detail: (error as NodeJS.ErrnoException).code ?? describeError(error) }, { cause: error });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every PEM certificate of a file; at least one, each one parsed. */
function certificates(pem: Buffer, what: string, file: string, side: string): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw invalid(side, `the ${what} file ${file} holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw invalid(side, `the ${what} file ${file} holds a certificate that cannot be read: ${describeError(error)}`, error);
    }
  });
}

function privateKey(pem: Buffer, file: string, side: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    // PKCS#8 and the older OpenSSL form say so in the PEM text; OpenSSL's own error does not.
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem.toString('latin1'));
    throw invalid(side, encrypted ? `the private key ${file} is encrypted: give it without a passphrase, readable only by Ferry's user` : `the private key file ${file} holds no PEM private key: ${describeError(error)}`, error);
  }
}

function invalid(side: string, detail: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_ERR_TLS_FILE_INVALID', { side, detail }, cause === undefined ? {} : { cause });
}

/** OpenSSL's certificate verdicts as Node names them: a chain or a name that does not check out. */
const CERTIFICATE_VERDICTS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_REVOKED', 'INVALID_CA', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG',
  'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateVerdict(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_VERDICTS.has(code);
}

/**
 * A TLS handshake that failed: the peer's certificate refused (chain, name, dates), or no
 * agreement on the protocol (a peer that speaks no TLS, or only versions below the minimum).
 */
export function isTlsHandshakeFailure(code: string | undefined): boolean {
  return code !== undefined && (isCertificateVerdict(code) || code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
}
