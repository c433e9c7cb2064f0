import { ERROR_CODES, FerryError, type ErrorCode } from '../../shared/errors/index.ts';
import { objectOf } from './channel-payloads.ts';
import { protocolError } from './frames.ts';

/*
 * A verify job across the pipe (node/verify/pipe-verify-side.ts asks, the select node's
 * node/verify/verify-answerer.ts answers): the load node asks about the source, the select
 * node runs the same SQL on it and answers with counts, hashes and keys, never rows. Requests
 * are VERIFY_REQUEST frames (load → select, at most a control frame: 64 KiB), answers
 * VERIFY_ANSWER frames (select → load, at most the session's batch bound). One connection
 * carries both the pipeline's batches and these; they do not count in the batch window.
 */

export type VerifyOp = 'tables' | 'position' | 'checksum' | 'keyAt' | 'rowHashes';
const OPS = new Set<string>(['tables', 'position', 'checksum', 'keyAt', 'rowHashes']);

export interface VerifyRequestMessage {
  id: number;
  op: VerifyOp;
  /** The rest, by op: {table: {schema, table}, key, columns, range: {after?, upTo?}, offset?}. */
  args: Record<string, unknown>;
}

export interface VerifyAnswerMessage {
  id: number;
  result?: unknown;
  error?: { code: string; message: string; details: Record<string, unknown> };
}


const idOf = (body: Record<string, unknown>, what: string, peer: string): number => {
  if (typeof body.id !== 'number' || !Number.isSafeInteger(body.id) || body.id < 1) throw protocolError(peer, `${what}: field id must be a whole number >= 1`);
  return body.id;
};

export function readVerifyRequest(body: Buffer, peer: string): VerifyRequestMessage {
  const value = objectOf(body, 'a verify request', peer);
  const id = idOf(value, 'a verify request', peer);
  if (typeof value.op !== 'string' || !OPS.has(value.op)) throw protocolError(peer, `a verify request: unknown op ${String(value.op)}`);
  const args = typeof value.args === 'object' && value.args !== null && !Array.isArray(value.args) ? (value.args as Record<string, unknown>) : {};
  return { id, op: value.op as VerifyOp, args };
}

export function readVerifyAnswer(body: Buffer, peer: string): VerifyAnswerMessage {
  const value = objectOf(body, 'a verify answer', peer);
  const id = idOf(value, 'a verify answer', peer);
  if (value.error !== undefined) {
    const error = value.error as Record<string, unknown>;
    if (typeof error !== 'object' || error === null || typeof error.code !== 'string') throw protocolError(peer, 'a verify answer: error must be {code, message, details}');
    return { id, error: { code: error.code, message: String(error.message), details: typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {} } };
  }
  return { id, result: value.result };
}

/** The select node's failure as this node's error: its own code when Ferry knows it (FERRY_ERR_VERIFY_TABLE, the source unreachable). */
export function answerError(error: NonNullable<VerifyAnswerMessage['error']>, peer: string): FerryError {
  if (error.code in ERROR_CODES) return new FerryError(error.code as ErrorCode, { ...error.details, pipePeer: peer });
  return new FerryError('FERRY_ERR_PIPE_PEER_FAILED', { peer, peerCode: error.code, detail: error.message, peerDetails: error.details });
}
