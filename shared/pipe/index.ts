export { WireEncoder, type EncodedSizes, type WireEncoderOptions } from './wire-encoder.ts';
export { WireDecoder, type WireDecoderOptions } from './wire-decoder.ts';
export { PieceAssembler } from './piece-assembler.ts';
export { CONTROL_KINDS, HEADER_BYTES, MAX_BODY_BYTES, PAYLOAD_KINDS, SUPPORTED_WIRE_VERSIONS, WIRE_VERSION, type BatchMessage, type ControlMessage, type TransactionPieceMessage, type WireMessage } from './wire-format.ts';
export { DEFAULT_PIPE_COMPRESSION, PIPE_COMPRESSION_PATTERN, compressionName, parsePipeCompression, type PipeCompression } from './pipe-compression.ts';
export type { TableScope } from './wire-tables.ts';
export type { TransactionHeader } from './wire-transactions.ts';
