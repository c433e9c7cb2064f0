import type { SourceTransaction } from '../shared/model/change.ts';
import { compressBody, decompressBody, ALGORITHM_IDS, parsePipeCompression } from '../shared/pipe/pipe-compression.ts';
import { WireDecoder, WireEncoder, HEADER_BYTES, type TableScope } from '../shared/pipe/index.ts';

/** The codecs measured: every one Node ships, at the levels worth comparing. */
export const MEASURED_CODECS = ['none', 'deflate-1', 'deflate-3', 'deflate-6', 'deflate-9', 'gzip-1', 'gzip-3', 'gzip-6', 'gzip-9', 'brotli-1', 'brotli-4', 'brotli-6', 'brotli-11'];

/** 20 Mbit/s: the constrained WAN link. */
export const LINK_BYTES_PER_SECOND = 20_000_000 / 8;

export interface CodecFigures {
  codec: string;
  batchRows: number;
  batches: number;
  rows: number;
  /** Payload bytes (header included) per row change. */
  wireBytesPerRow: number;
  /** Wire bytes over the uncompressed encoded bytes. */
  ratioToEncoded: number;
  /** Wire bytes over the source binlog bytes of the same transactions. */
  ratioToBinlog: number;
  compressMicrosPerRow: number;
  decompressMicrosPerRow: number;
  /** Row changes a second the 20 Mbit/s link carries at this size. */
  linkRowsPerSecond: number;
}

export interface ScopeFigures {
  tableScope: TableScope;
  batchRows: number;
  encodedBytesPerRow: number;
  encodeMicrosPerRow: number;
  decodeMicrosPerRow: number;
}

/** Whole transactions, in order, into batches of at least `rows` row changes (the last may be smaller). */
export function groupBatches(transactions: SourceTransaction[], rows: number): SourceTransaction[][] {
  const batches: SourceTransaction[][] = [];
  let current: SourceTransaction[] = [];
  let count = 0;
  for (const transaction of transactions) {
    current.push(transaction);
    count += transaction.changes.length;
    if (count >= rows) {
      batches.push(current);
      current = [];
      count = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** CPU time (user + system) of this process in µs while `run` runs: the machine is shared, wall time would count others. */
function cpuMicros(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

const rowsOf = (batches: SourceTransaction[][]): number => batches.reduce((sum, batch) => sum + batch.reduce((s, t) => s + t.changes.length, 0), 0);

/** Encoding without compression, per table scope: bytes, and the format's own CPU both ways. */
export function measureScopes(batches: SourceTransaction[][], batchRows: number): { figures: ScopeFigures[]; bodies: Buffer[] } {
  const rows = rowsOf(batches);
  const figures: ScopeFigures[] = [];
  let connectionBodies: Buffer[] = [];
  for (const tableScope of ['batch', 'connection'] as const) {
    let payloads: Buffer[] = [];
    const encodeMicros = cpuMicros(() => {
      const encoder = new WireEncoder({ compression: 'none', tableScope });
      payloads = batches.map((batch, seq) => encoder.encodeBatch(seq, batch));
    });
    const decodeMicros = cpuMicros(() => {
      const decoder = new WireDecoder();
      for (const payload of payloads) decoder.decode(payload);
    });
    const bytes = payloads.reduce((sum, p) => sum + p.length, 0);
    figures.push({ tableScope, batchRows, encodedBytesPerRow: bytes / rows, encodeMicrosPerRow: encodeMicros / rows, decodeMicrosPerRow: decodeMicros / rows });
    if (tableScope === 'connection') connectionBodies = payloads.map((p) => p.subarray(HEADER_BYTES));
  }
  return { figures, bodies: connectionBodies };
}

/** Each codec over the same encoded bodies (connection scope): wire bytes and CPU per row. */
export function measureCodecs(bodies: Buffer[], rows: number, batchRows: number, binlogBytes: number, codecs = MEASURED_CODECS): CodecFigures[] {
  const encodedBytes = bodies.reduce((sum, b) => sum + b.length + HEADER_BYTES, 0);
  return codecs.map((codec) => {
    const compression = parsePipeCompression(codec);
    // One untimed pass first: lazily built tables and JIT warm-up are not the codec's cost.
    for (const body of bodies.slice(0, 3)) compressBody(compression, body);
    let compressed: Buffer[] = [];
    const compressMicros = cpuMicros(() => {
      compressed = bodies.map((body) => compressBody(compression, body));
    });
    const id = ALGORITHM_IDS[compression.algorithm];
    const decompressMicros = cpuMicros(() => {
      compressed.forEach((c, i) => decompressBody(id, c, bodies[i]!.length));
    });
    const wireBytes = compressed.reduce((sum, c) => sum + c.length + HEADER_BYTES, 0);
    return {
      codec,
      batchRows,
      batches: bodies.length,
      rows,
      wireBytesPerRow: wireBytes / rows,
      ratioToEncoded: wireBytes / encodedBytes,
      ratioToBinlog: wireBytes / binlogBytes,
      compressMicrosPerRow: compressMicros / rows,
      decompressMicrosPerRow: decompressMicros / rows,
      linkRowsPerSecond: LINK_BYTES_PER_SECOND / (wireBytes / rows),
    };
  });
}

export function measureBatchSize(transactions: SourceTransaction[], batchRows: number, binlogBytes: number, codecs?: string[]): { scopes: ScopeFigures[]; codecs: CodecFigures[] } {
  const batches = groupBatches(transactions, batchRows);
  const { figures, bodies } = measureScopes(batches, batchRows);
  return { scopes: figures, codecs: measureCodecs(bodies, rowsOf(batches), batchRows, binlogBytes, codecs) };
}

/**
 * The same transactions with before images cut to the primary key: what Load uses of a before
 * image (node/load/merge.ts finds rows by key), and what Otter sends. Not lossless, so not what
 * the pipe sends today: measured to show what such a choice would save on the WAN.
 */
export function keysOnlyBefore(transactions: SourceTransaction[], keyOf: (schema: string, table: string) => string[]): SourceTransaction[] {
  return transactions.map((transaction) => ({
    ...transaction,
    changes: transaction.changes.map((change) => {
      if (!change.before) return change;
      const before: Record<string, unknown> = {};
      for (const name of keyOf(change.schema, change.table)) before[name] = change.before[name];
      return { ...change, before };
    }),
  }));
}

/**
 * Further: updates carry the key and the changed columns only (Otter's updatedColumns), which
 * Load could apply only as UPDATE ... SET changed WHERE key, not as the full-row upsert it runs.
 */
export function keysAndChangedColumns(transactions: SourceTransaction[], keyOf: (schema: string, table: string) => string[]): SourceTransaction[] {
  return keysOnlyBefore(transactions, keyOf).map((transaction, t) => ({
    ...transaction,
    changes: transaction.changes.map((change, c) => {
      if (change.kind !== 'update' || !change.after) return change;
      const full = transactions[t]!.changes[c]!.before!;
      const keyColumns = keyOf(change.schema, change.table);
      const after: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(change.after)) if (keyColumns.includes(name) || !Object.is(full[name], value)) after[name] = value;
      return { ...change, after };
    }),
  }));
}
