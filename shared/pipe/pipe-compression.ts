import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { FerryError } from '../errors/index.ts';
import { corrupt } from './wire-buffer.ts';

/**
 * Compression of pipe payload bodies, with the codecs Node ships. The setting names one codec
 * and level: 'none', 'deflate-1'..'deflate-9' (raw deflate: the payload header already
 * carries a CRC-32, so zlib's own wrapper would only add bytes), 'gzip-1'..'gzip-9',
 * 'brotli-0'..'brotli-11' (text mode). The default is chosen by measurement (bench/pipe-codecs.ts,
 * docs/benchmarks.md "Pipe compression"). Only the algorithm goes on the wire (one header
 * byte): the level is the sender's business, so the two sides may be set differently.
 */

export type CompressionAlgorithm = 'none' | 'deflate' | 'gzip' | 'brotli';

export interface PipeCompression {
  algorithm: CompressionAlgorithm;
  level: number;
}

/** The default of the pipe.compression setting: see docs/benchmarks.md "Pipe compression". */
export const DEFAULT_PIPE_COMPRESSION = 'brotli-1';

/** Algorithm ids in the payload header. Never renumber: a new algorithm takes a new id. */
export const ALGORITHM_IDS: Record<CompressionAlgorithm, number> = { none: 0, deflate: 1, gzip: 2, brotli: 3 };
const ALGORITHMS_BY_ID: CompressionAlgorithm[] = ['none', 'deflate', 'gzip', 'brotli'];

const LEVELS: Record<CompressionAlgorithm, [number, number]> = { none: [0, 0], deflate: [1, 9], gzip: [1, 9], brotli: [0, 11] };

/** Every accepted setting value, for help texts and schemas. */
export const PIPE_COMPRESSION_PATTERN = '^(none|deflate-[1-9]|gzip-[1-9]|brotli-([0-9]|1[01]))$';

/** Parses a pipe.compression setting ('brotli-1'); FERRY_ERR_CONFIG_INVALID otherwise. */
export function parsePipeCompression(setting: string): PipeCompression {
  if (setting === 'none') return { algorithm: 'none', level: 0 };
  const match = /^(deflate|gzip|brotli)-(\d{1,2})$/.exec(setting);
  const algorithm = match?.[1] as CompressionAlgorithm | undefined;
  const level = Number(match?.[2]);
  if (algorithm === undefined || level < LEVELS[algorithm][0] || level > LEVELS[algorithm][1]) {
    throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `pipe.compression '${setting}' is not one of none, deflate-1..9, gzip-1..9, brotli-0..11` });
  }
  return { algorithm, level };
}

export function compressionName(compression: PipeCompression): string {
  return compression.algorithm === 'none' ? 'none' : `${compression.algorithm}-${compression.level}`;
}

export function compressBody(compression: PipeCompression, body: Buffer): Buffer {
  switch (compression.algorithm) {
    case 'none':
      return body;
    case 'deflate':
      return deflateRawSync(body, { level: compression.level });
    case 'gzip':
      return gzipSync(body, { level: compression.level });
    case 'brotli':
      return brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: compression.level,
          // Column values are mostly text; measured no worse than generic mode on binary ones.
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      });
  }
}

/**
 * Inflates a body of algorithm `id` that must come out exactly `length` bytes long; output is
 * capped there, so a corrupt or hostile payload cannot make this node allocate more.
 */
export function decompressBody(id: number, compressed: Buffer, length: number): Buffer {
  const algorithm = ALGORITHMS_BY_ID[id];
  if (algorithm === undefined) throw corrupt(`unknown compression algorithm id ${id}`);
  if (algorithm === 'none') {
    if (compressed.length !== length) throw corrupt(`the body is ${compressed.length} bytes, the header says ${length}`);
    return compressed;
  }
  // info: the engine tells how many input bytes the stream used; zlib and brotli ignore
  // bytes after a stream's end, which here can only be damage.
  const options = { maxOutputLength: Math.max(length, 1), info: true };
  let result: InflateResult;
  try {
    switch (algorithm) {
      case 'deflate':
        result = inflateRawSync(compressed, options) as unknown as InflateResult;
        break;
      case 'gzip':
        result = gunzipSync(compressed, options) as unknown as InflateResult;
        break;
      case 'brotli':
        result = brotliDecompressSync(compressed, options) as unknown as InflateResult;
        break;
    }
  } catch (error) {
    throw corrupt(`the ${algorithm} body does not decompress (${(error as Error).message})`);
  }
  const body = result.buffer;
  if (result.engine.bytesWritten !== compressed.length) throw corrupt(`the ${algorithm} stream ends after ${result.engine.bytesWritten} of ${compressed.length} bytes`);
  if (body.length !== length) throw corrupt(`the body is ${body.length} bytes after ${algorithm}, the header says ${length}`);
  return body;
}

/** What zlib's synchronous calls return with `info: true`. */
interface InflateResult {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

export function algorithmName(id: number): string {
  return ALGORITHMS_BY_ID[id] ?? `unknown (${id})`;
}
