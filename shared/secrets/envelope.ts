import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The sealed form of a secret: `ferry-secret:v1:<keyId>:<iv>:<ciphertext+tag>`, AES-256-GCM
 * with a fresh random 12-byte IV per seal, IV and ciphertext in base64url (never ':').
 *
 * The key id is derived from the key, so a key file says which of its keys sealed what, and
 * rotation can tell what is left under an old key. The additional authenticated data binds
 * the envelope to its version, its key id and a context naming what it protects (a data
 * source): an envelope copied from one data source to another does not open there.
 */

export const ENVELOPE_PREFIX = 'ferry-secret:';
const VERSION = 'v1';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** The 16-hex-digit id of a key: the head of a domain-separated SHA-256, which reveals nothing usable about the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('ferry-secret-key-id\u0000').update(key).digest('hex').slice(0, 16);
}

export interface Envelope {
  keyId: string;
  iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  sealed: Buffer;
}

/** True when the stored value is an envelope (or claims to be one); anything else is clear text. */
export const isSealed = (value: string): boolean => value.startsWith(ENVELOPE_PREFIX);

const aad = (keyId: string, context: string) => Buffer.from(`${ENVELOPE_PREFIX}${VERSION}:${keyId}:${context}`, 'utf8');

export function seal(plain: string, key: Buffer, context: string): string {
  const keyId = keyIdOf(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(keyId, context));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${ENVELOPE_PREFIX}${VERSION}:${keyId}:${iv.toString('base64url')}:${data.toString('base64url')}`;
}

/** The parts of an envelope, or a reason it is not one this version reads. */
export function parseEnvelope(value: string): Envelope | { problem: string } {
  const parts = value.split(':');
  if (parts.length !== 5 || `${parts[0]}:` !== ENVELOPE_PREFIX) return { problem: 'it is not a complete ferry-secret envelope' };
  const [, version, keyId, iv, data] = parts as [string, string, string, string, string];
  if (version !== VERSION) return { problem: `envelope version '${version}' is not known to this Ferry (it reads ${VERSION})` };
  if (!/^[0-9a-f]{16}$/.test(keyId)) return { problem: 'the envelope\'s key id is malformed' };
  const base64url = /^[A-Za-z0-9_-]+$/;
  if (!base64url.test(iv) || !base64url.test(data)) return { problem: 'the envelope is not base64url' };
  const ivBytes = Buffer.from(iv, 'base64url');
  const sealed = Buffer.from(data, 'base64url');
  if (ivBytes.length !== IV_BYTES || sealed.length < TAG_BYTES) return { problem: 'the envelope is truncated' };
  return { keyId, iv: ivBytes, sealed };
}

/** The plain text, or undefined when authentication fails (wrong key, wrong context, tampered). */
export function openWith(envelope: Envelope, key: Buffer, context: string): string | undefined {
  const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(envelope.keyId, context));
  decipher.setAuthTag(envelope.sealed.subarray(envelope.sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(envelope.sealed.subarray(0, envelope.sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
