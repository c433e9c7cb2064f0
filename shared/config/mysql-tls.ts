/**
 * TLS to MySQL in MySQL's own terms (`--ssl-mode`, `--ssl-ca`, `--ssl-cert`, `--ssl-key`), so
 * that a DBA reads a Ferry endpoint as they read a mysql client's options:
 * - DISABLED: no TLS;
 * - PREFERRED: TLS when the server offers it, plain otherwise (logged: an attacker on the path
 *   can strip the offer, so this protects only against eavesdroppers);
 * - REQUIRED: TLS or no connection, the certificate not checked;
 * - VERIFY_CA: also the certificate chain, against ssl-ca (the system's CAs without it);
 * - VERIFY_IDENTITY: also the host name (or IP address) against the certificate.
 * Here only the paths: the files are read by the node that connects (node/pipeline/mysql-tls.ts).
 */

export const SSL_MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * DISABLED keeps what Ferry did before TLS existed, and never lets an endpoint that says
 * nothing look protected: PREFERRED verifies nothing and can be downgraded by anyone on the
 * path, so an operator who wants TLS asks for VERIFY_IDENTITY (or VERIFY_CA) by name.
 */
export const DEFAULT_SSL_MODE: SslMode = 'DISABLED';

/** An endpoint's TLS settings; absent on an endpoint means DEFAULT_SSL_MODE and no files. */
export interface MysqlTls {
  readonly mode: SslMode;
  /** PEM file of the CA(s) that sign the server's certificate. */
  readonly ca?: string;
  /** PEM file of a client certificate (for users created REQUIRE X509), with key. */
  readonly cert?: string;
  /** PEM file of the client certificate's private key. */
  readonly key?: string;
}

/** The fields as given (URL parameters or pipeline-file fields), each possibly absent. */
export interface TlsFields {
  mode?: string | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** A problem with one field; `field` is the URL parameter's name (ssl-mode, ssl-ca, ...). */
export interface TlsProblem {
  field: 'ssl-mode' | 'ssl-ca' | 'ssl-cert' | 'ssl-key';
  message: string;
}

export type TlsResult = { ok: true; tls: MysqlTls | undefined } | { ok: false; problems: TlsProblem[] };

/** Checks the fields together; undefined tls when none is given. Messages never quote a value but the mode. */
export function checkTlsFields(fields: TlsFields): TlsResult {
  const problems: TlsProblem[] = [];
  if (fields.mode === undefined && fields.ca === undefined && fields.cert === undefined && fields.key === undefined) return { ok: true, tls: undefined };
  const upper = fields.mode?.toUpperCase().replace(/-/g, '_');
  const mode = upper === undefined ? undefined : SSL_MODES.find((m) => m === upper);
  if (upper !== undefined && mode === undefined) problems.push({ field: 'ssl-mode', message: `must be one of ${SSL_MODES.join(', ')}` });
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (fields[field] === '') problems.push({ field: `ssl-${field}`, message: 'is empty; give the path of a PEM file' });
  }
  if ((fields.cert === undefined) !== (fields.key === undefined)) {
    problems.push({ field: fields.cert === undefined ? 'ssl-cert' : 'ssl-key', message: 'ssl-cert and ssl-key go together (a client certificate needs its key)' });
  }
  // As in MySQL, a CA without a mode means VERIFY_CA; a client certificate alone means TLS.
  const effective = mode ?? (fields.ca !== undefined ? 'VERIFY_CA' : fields.cert !== undefined ? 'REQUIRED' : DEFAULT_SSL_MODE);
  // A file given with TLS switched off is a contradiction a typo makes: refuse it rather than connect in clear.
  if (effective === 'DISABLED' && (fields.ca !== undefined || fields.cert !== undefined)) {
    problems.push({ field: 'ssl-mode', message: 'is DISABLED but certificate files are given; remove them or choose a TLS mode' });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    tls: {
      mode: effective,
      ...(fields.ca === undefined ? {} : { ca: fields.ca }),
      ...(fields.cert === undefined ? {} : { cert: fields.cert }),
      ...(fields.key === undefined ? {} : { key: fields.key }),
    },
  };
}
