import { ERROR_CODES, FerryError, type ErrorCode } from '../../shared/errors/index.ts';
import { protocolError, type Frame } from './frames.ts';

/** The protocol version both sides must speak; a change of any frame's meaning bumps it. */
export const PIPE_PROTOCOL_VERSION = 1;

/** A position where the select side starts reading: any JSON value, opaque to the pipe (the load side's checkpoint decides it). */
export type PipePosition = null | boolean | number | string | PipePosition[] | { [key: string]: PipePosition };

export interface ChallengeMessage {
  version: number;
  /** The server's nonce, hex. */
  nonce: string;
}

export interface HelloMessage {
  version: number;
  pipeline: string;
  epoch: number;
  /** The client's nonce, hex. */
  nonce: string;
  /** HMAC of the assignment secret (pipe-auth.ts), hex. */
  proof: string;
  /** The client's heartbeat interval: the server's silence bound is at least 3 of them. */
  heartbeatMs: number;
}

export interface HelloOkMessage {
  /** The server's HMAC of the same secret: the client checks it before sending a batch. */
  proof: string;
  /** The server's window; the client uses the smaller of its own and these. */
  maxInFlightBatches: number;
  maxInFlightBytes: number;
  /** Largest batch payload the server reads. */
  maxBatchBytes: number;
  heartbeatMs: number;
}

/** REFUSE and ERROR: a FerryError as data. */
export interface FailureMessage {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** What the select side sends with its resume request: opaque to the pipe (the load side's resumeAt reads it). */
export interface ResumeRequestMessage {
  request: PipePosition;
}

export interface ResumeAtMessage {
  position: PipePosition;
}

/** The JSON object of a control frame, or FERRY_ERR_PIPE_PROTOCOL. */
export function jsonBody(frame: Frame, peer: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(frame.body.toString('utf8'));
  } catch {
    throw protocolError(peer, 'a control frame that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocolError(peer, 'a control frame that is not a JSON object');
  return value as Record<string, unknown>;
}

/** Field readers: each one refuses a missing or mistyped field as a protocol error naming it. */
export function stringField(body: Record<string, unknown>, name: string, peer: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw protocolError(peer, `field ${name} must be a non-empty string`);
  return value;
}

export function countField(body: Record<string, unknown>, name: string, peer: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw protocolError(peer, `field ${name} must be a whole number >= 0`);
  return value;
}

export function hexField(body: Record<string, unknown>, name: string, bytes: number, peer: string): Buffer {
  const value = stringField(body, name, peer);
  if (value.length !== bytes * 2 || !/^[0-9a-f]+$/.test(value)) throw protocolError(peer, `field ${name} must be ${bytes} bytes in lowercase hex`);
  return Buffer.from(value, 'hex');
}

export function failureOf(error: FerryError): FailureMessage {
  return { code: error.code, message: error.message, details: error.details };
}

/** The codes a REFUSE may carry: the client raises them as they are. */
const REFUSAL_CODES = new Set<ErrorCode>(['FERRY_ERR_PIPE_AUTH_FAILED', 'FERRY_ERR_PIPE_EPOCH_STALE', 'FERRY_ERR_PIPE_NOT_ASSIGNED', 'FERRY_ERR_PIPE_TLS_REFUSED']);

/** A REFUSE as the client's error, its `peer` the server as the client names it. */
export function refusalError(body: Record<string, unknown>, peer: string): FerryError {
  const code = body.code;
  if (typeof code !== 'string' || !REFUSAL_CODES.has(code as ErrorCode)) throw protocolError(peer, `a refusal with code ${String(code)}`);
  const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : {};
  return new FerryError(code as ErrorCode, { ...details, peer });
}

/** An ERROR from the peer: it gave up, for the reason its code says. */
export function peerFailure(body: Record<string, unknown>, peer: string): FerryError {
  const peerCode = typeof body.code === 'string' && body.code in ERROR_CODES ? body.code : 'unknown';
  const detail = typeof body.message === 'string' ? body.message : 'no message';
  // Kept whole, so that a channel over the pipe can raise the peer's own error on this side.
  const peerDetails = typeof body.details === 'object' && body.details !== null && !Array.isArray(body.details) ? (body.details as Record<string, unknown>) : {};
  return new FerryError('FERRY_ERR_PIPE_PEER_FAILED', { peer, peerCode, detail, peerDetails });
}
