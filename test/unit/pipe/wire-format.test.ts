import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors/index.ts';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { PieceAssembler, WireDecoder, WireEncoder, WIRE_VERSION, type TransactionPieceMessage, type WireMessage } from '../../../shared/pipe/index.ts';
import { sbtestTransaction, seeded } from './wire-samples.ts';

const batchOf = (count: number, seed: number, table?: string): SourceTransaction[] => {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => sbtestTransaction(random, seed * 1000 + i, table));
};

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof FerryError) return error.code;
    throw error;
  }
};

describe('pipe wire format: batches', () => {
  it('a batch of sysbench transactions round-trips with every codec family and both table scopes', () => {
    const batch = batchOf(25, 1);
    for (const compression of ['none', 'deflate-1', 'deflate-9', 'gzip-3', 'brotli-1', 'brotli-11']) {
      for (const tableScope of ['batch', 'connection'] as const) {
        const payload = new WireEncoder({ compression, tableScope }).encodeBatch(7, batch);
        expect(new WireDecoder().decode(payload), `${compression} ${tableScope}`).toStrictEqual({ kind: 'batch', seq: 7, transactions: batch });
      }
    }
  });

  it('the echo flag of a transaction (the primary direction forwarding its mirror) round-trips, whole and in pieces', () => {
    const batch = batchOf(4, 5).map((transaction, i): SourceTransaction => (i % 2 === 0 ? { ...transaction, echo: true } : transaction));
    const decoded = new WireDecoder().decode(new WireEncoder({ tableScope: 'batch' }).encodeBatch(3, batch));
    expect(decoded).toStrictEqual({ kind: 'batch', seq: 3, transactions: batch });
    expect((decoded as { transactions: SourceTransaction[] }).transactions.map((transaction) => transaction.echo)).toEqual([true, undefined, true, undefined]);
    const decoder = new WireDecoder();
    const assembler = new PieceAssembler();
    let whole: SourceTransaction | undefined;
    for (const piece of new WireEncoder().encodeInPieces(4, batch[0]!, 200)) whole = assembler.add(decoder.decode(piece) as TransactionPieceMessage);
    expect(whole).toStrictEqual(batch[0]);
  });

  it("connection scope sends a table's columns once per connection; batch scope once per payload", () => {
    const sizes = (tableScope: 'batch' | 'connection'): number[] => {
      const encoder = new WireEncoder({ compression: 'none', tableScope });
      const decoder = new WireDecoder();
      return [1, 2, 3].map((seed) => {
        const batch = batchOf(2, seed);
        expect(decoder.decode(encoder.encodeBatch(seed, batch))).toStrictEqual({ kind: 'batch', seq: seed, transactions: batch });
        return encoder.lastSizes.bodyBytes;
      });
    };
    const perBatch = sizes('batch');
    const perConnection = sizes('connection');
    expect(perConnection[0]).toBe(perBatch[0]);
    // The definition (4 columns with names and types) is left out of later payloads.
    expect(perConnection[1]).toBeLessThan(perBatch[1]! - 40);
    expect(perConnection[2]).toBeLessThan(perBatch[2]! - 40);
  });

  it('with connection scope a payload read on a fresh connection (ids it never saw) is refused, not misread', () => {
    const encoder = new WireEncoder({ tableScope: 'connection' });
    encoder.encodeBatch(1, batchOf(1, 1));
    const second = encoder.encodeBatch(2, batchOf(1, 2));
    expect(codeOf(() => new WireDecoder().decode(second))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
  });

  it('a new table, or a table whose columns changed (ALTER), gets a definition of its own', () => {
    const encoder = new WireEncoder({ tableScope: 'connection' });
    const decoder = new WireDecoder();
    const altered = batchOf(1, 3)[0]!;
    const columns = [...altered.changes[0]!.columns.slice(0, 3), { name: 'pad', typeCode: 15, columnType: 'varchar(80)', charset: 'utf8mb4', unsigned: false }];
    for (const change of altered.changes) change.columns = columns;
    for (const [seq, batch] of [batchOf(2, 1), batchOf(2, 2, 'sbtest2'), [altered], batchOf(2, 4)].entries()) {
      expect(decoder.decode(encoder.encodeBatch(seq, batch))).toStrictEqual({ kind: 'batch', seq, transactions: batch });
    }
  });

  it('after a payload that failed half-way (a refused value), the next one still decodes on the same connection', () => {
    const encoder = new WireEncoder({ tableScope: 'connection' });
    const decoder = new WireDecoder();
    const first = batchOf(1, 1);
    expect(decoder.decode(encoder.encodeBatch(1, first))).toStrictEqual({ kind: 'batch', seq: 1, transactions: first });
    // A new table's ids are given, then a value of no binlog type stops the payload.
    const bad = batchOf(1, 2, 'sbtest9');
    bad[0]!.changes[3]!.after!.pad = new Map();
    expect(codeOf(() => encoder.encodeBatch(2, bad))).toBe('FERRY_ERR_PIPE_WIRE_VALUE');
    const next = [...batchOf(1, 3, 'sbtest9'), ...batchOf(1, 4)];
    expect(decoder.decode(encoder.encodeBatch(2, next))).toStrictEqual({ kind: 'batch', seq: 2, transactions: next });
  });

  it('control messages of the transport pass through with their type and bytes', () => {
    const body = Buffer.from('{"ack":12}');
    expect(new WireDecoder().decode(new WireEncoder().encodeControl(0x41, body))).toStrictEqual({ kind: 'control', type: 0x41, body });
    expect(codeOf(() => new WireEncoder().encodeControl(2, body))).toBe('FERRY_ERR_INTERNAL');
  });
});

describe('pipe wire format: a large transaction in pieces', () => {
  const large = (): SourceTransaction => {
    const batch = batchOf(60, 9);
    return { ...batch[59]!, changes: batch.flatMap((t) => t.changes), bytes: 60 * 700 };
  };

  for (const tableScope of ['batch', 'connection'] as const) {
    it(`pieces (${tableScope} scope) stay near the bound, come numbered, and reassemble to the transaction`, () => {
      const transaction = large();
      const encoder = new WireEncoder({ compression: 'deflate-1', tableScope });
      const payloads = encoder.encodeInPieces(5, transaction, 4096);
      expect(payloads.length).toBeGreaterThan(3);
      const decoder = new WireDecoder();
      const assembler = new PieceAssembler();
      let whole: SourceTransaction | undefined;
      payloads.forEach((payload, i) => {
        const message = decoder.decode(payload) as TransactionPieceMessage;
        expect(message).toMatchObject({ kind: 'transaction-piece', seq: 5, piece: i, last: i === payloads.length - 1 });
        // Only the last piece carries the header: a sender may stream before it knows the end.
        expect(message.transaction === undefined).toBe(i < payloads.length - 1);
        whole = assembler.add(message);
        expect(whole === undefined).toBe(i < payloads.length - 1);
      });
      expect(whole).toStrictEqual(transaction);
      expect(assembler.open).toBe(false);
    });
  }

  it('pieces() encodes lazily: each piece decodes as it is pulled, then the next batch follows on the same connection', () => {
    const transaction = large();
    const encoder = new WireEncoder({ tableScope: 'connection' });
    const decoder = new WireDecoder();
    const assembler = new PieceAssembler();
    let whole: SourceTransaction | undefined;
    let pulled = 0;
    for (const payload of encoder.pieces(8, transaction, 3000)) {
      pulled++;
      whole = assembler.add(decoder.decode(payload) as TransactionPieceMessage);
    }
    expect(pulled).toBeGreaterThan(3);
    expect(whole).toStrictEqual(transaction);
    const next = batchOf(2, 12);
    assembler.checkNoneOpen();
    expect(decoder.decode(encoder.encodeBatch(9, next))).toStrictEqual({ kind: 'batch', seq: 9, transactions: next });
  });

  it('each piece body is below the bound plus one change', () => {
    const encoder = new WireEncoder({ compression: 'none', tableScope: 'batch' });
    for (const payload of encoder.encodeInPieces(1, large(), 2000)) {
      expect(payload.readUInt32LE(4)).toBeLessThan(2000 + 700);
    }
  });

  it('a transaction without changes (DDL) is one last piece', () => {
    const ddl: SourceTransaction = { gtid: '0-1-9', end: { file: 'b.2', pos: 77 }, timestamp: 5, changes: [], ddl: { schema: 'sbtest', sql: 'ALTER TABLE sbtest1 ADD COLUMN x INT' } };
    const [only, ...rest] = new WireEncoder().encodeInPieces(3, ddl, 100);
    expect(rest).toHaveLength(0);
    expect(new PieceAssembler().add(new WireDecoder().decode(only!) as TransactionPieceMessage)).toStrictEqual(ddl);
  });

  it('a missing, repeated or foreign piece, or a batch in the middle, is refused (never a partial commit)', () => {
    const payloads = new WireEncoder({ tableScope: 'batch' }).encodeInPieces(5, large(), 2048);
    const pieces = payloads.map((p) => new WireDecoder().decode(p) as TransactionPieceMessage);
    const feed = (order: TransactionPieceMessage[]) => () => {
      const assembler = new PieceAssembler();
      for (const piece of order) assembler.add(piece);
    };
    expect(codeOf(feed([pieces[0]!, pieces[2]!]))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    expect(codeOf(feed([pieces[0]!, pieces[0]!]))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    expect(codeOf(feed([pieces[1]!]))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    expect(codeOf(feed([pieces[0]!, { ...pieces[1]!, seq: 6 }]))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    const assembler = new PieceAssembler();
    assembler.add(pieces[0]!);
    expect(codeOf(() => assembler.checkNoneOpen())).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
  });
});

describe('pipe wire format: bad input is a clear error, never a crash or a wrong value', () => {
  const samples = (): Array<[string, Buffer]> => {
    const batch = batchOf(3, 4);
    return ['none', 'deflate-1', 'gzip-6', 'brotli-4'].map((compression) => [compression, new WireEncoder({ compression, tableScope: 'batch' }).encodeBatch(9, batch)]);
  };

  it('every truncation of a payload is FERRY_ERR_PIPE_WIRE_CORRUPT', () => {
    for (const [compression, payload] of samples()) {
      for (let length = 0; length < payload.length; length++) {
        expect(codeOf(() => new WireDecoder().decode(payload.subarray(0, length))), `${compression}, ${length} of ${payload.length} bytes`).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
      }
    }
  });

  it('every single flipped bit is refused (FERRY_ERR_PIPE_WIRE_VERSION in the version byte, FERRY_ERR_PIPE_WIRE_CORRUPT elsewhere) or changes nothing', () => {
    const random = seeded(77);
    const original = new WireDecoder().decode(samples()[0]![1]);
    for (const [compression, payload] of samples()) {
      for (let at = 0; at < payload.length; at++) {
        const bad = Buffer.from(payload);
        bad[at] = bad[at]! ^ (1 << Math.floor(random() * 8));
        const expected = at === 0 ? 'FERRY_ERR_PIPE_WIRE_VERSION' : 'FERRY_ERR_PIPE_WIRE_CORRUPT';
        let message: WireMessage | undefined;
        const code = codeOf(() => (message = new WireDecoder().decode(bad)));
        // A flip in the unused bits of a compressed stream's last byte changes nothing: then
        // the decoded message must be the very one sent.
        if (code === undefined) expect(message, `${compression}, byte ${at}`).toStrictEqual(original);
        else expect(code, `${compression}, byte ${at}`).toBe(expected);
      }
    }
  });

  it('bytes appended to a payload, or a body that does not end where its header says, are refused', () => {
    for (const [compression, payload] of samples()) {
      expect(codeOf(() => new WireDecoder().decode(Buffer.concat([payload, Buffer.from([0])]))), compression).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    }
  });

  it('an unknown version is FERRY_ERR_PIPE_WIRE_VERSION naming both versions; the decoder reads on after it', () => {
    const payload = new WireEncoder({ tableScope: 'batch' }).encodeBatch(1, batchOf(1, 1));
    const newer = Buffer.from(payload);
    newer[0] = WIRE_VERSION + 1;
    const decoder = new WireDecoder();
    let error: unknown;
    try {
      decoder.decode(newer);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('FERRY_ERR_PIPE_WIRE_VERSION');
    expect((error as FerryError).message).toContain(`version ${WIRE_VERSION + 1}`);
    expect((error as FerryError).message).toContain(`version(s) ${WIRE_VERSION}`);
    expect(decoder.decode(payload).kind).toBe('batch');
  });

  it('after a corrupt payload the decoder refuses the rest of the connection (its table ids are unknown)', () => {
    const encoder = new WireEncoder({ tableScope: 'connection' });
    const first = encoder.encodeBatch(1, batchOf(1, 1));
    const second = encoder.encodeBatch(2, batchOf(1, 2));
    const decoder = new WireDecoder();
    expect(codeOf(() => decoder.decode(first.subarray(0, first.length - 1)))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    expect(codeOf(() => decoder.decode(second))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
  });

  it("a body larger than the decoder's bound is refused before it is inflated (a compression bomb)", () => {
    const bomb = new WireEncoder({ compression: 'brotli-11', tableScope: 'batch' }).encodeBatch(1, [{ end: { file: 'b.1', pos: 4 }, timestamp: 1, changes: [{ schema: 's', table: 't', kind: 'insert', columns: [{ name: 'v', typeCode: 252, columnType: 'longblob', charset: null, unsigned: false }], after: { v: Buffer.alloc(4 * 1024 * 1024) } }] }]);
    expect(bomb.length).toBeLessThan(1024);
    expect(codeOf(() => new WireDecoder({ maxBodyBytes: 1024 * 1024 }).decode(bomb))).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    expect(new WireDecoder({ maxBodyBytes: 8 * 1024 * 1024 }).decode(bomb).kind).toBe('batch');
  });

  it('random garbage after a valid header is refused', () => {
    const random = seeded(5);
    for (let i = 0; i < 300; i++) {
      const garbage = Buffer.from(Array.from({ length: 12 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      garbage[0] = WIRE_VERSION;
      let message: WireMessage | undefined;
      const code = codeOf(() => (message = new WireDecoder().decode(garbage)));
      expect(code, `decoded ${JSON.stringify(message)}`).toBe('FERRY_ERR_PIPE_WIRE_CORRUPT');
    }
  });
});
