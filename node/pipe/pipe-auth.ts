import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Challenge-response over the per-assignment secret that the leader writes into both sides'
 * assignments. Neither side ever sends the secret: each proves it knows it by an HMAC over
 * both nonces, the pipeline and the epoch, so a proof cannot be replayed on another
 * connection (fresh nonces), for another pipeline or epoch, or reflected back as the other
 * side's (each side's proof has its own label).
 */

/** Bytes of each side's nonce. */
export const NONCE_BYTES = 32;

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

export type ProofSide = 'client' | 'server';

export interface ProofInput {
  readonly pipeline: string;
  readonly epoch: number;
  readonly serverNonce: Buffer;
  readonly clientNonce: Buffer;
}

/** HMAC-SHA256 of an unambiguous encoding (a JSON array) of what the proof binds. */
export function proof(secret: Buffer | string, side: ProofSide, input: ProofInput): Buffer {
  const message = JSON.stringify([`ferry-pipe-v1 ${side}`, input.pipeline, input.epoch, input.serverNonce.toString('hex'), input.clientNonce.toString('hex')]);
  return createHmac('sha256', secret).update(message, 'utf8').digest();
}

/** Whether `claimed` is the expected proof; constant time in its content. */
export function proofMatches(secret: Buffer | string, side: ProofSide, input: ProofInput, claimed: Buffer): boolean {
  const expected = proof(secret, side, input);
  // Only the length, public anyway (always 32 bytes), is compared in variable time.
  return claimed.length === expected.length && timingSafeEqual(claimed, expected);
}
