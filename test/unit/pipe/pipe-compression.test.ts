import { describe, expect, it } from 'vitest';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { DEFAULT_PIPE_COMPRESSION, parsePipeCompression, WireDecoder, WireEncoder } from '../../../shared/pipe/index.ts';
import { sbtestTransaction, seeded } from './wire-samples.ts';

const minimal = { source: 'mysql://u:p@src:3306', target: 'mysql://u:p@tgt:3307', tables: ['shop.*'] };

describe('pipe.compression setting', () => {
  it('defaults to the measured choice and takes every codec and level Node ships', () => {
    expect(DEFAULT_PIPE_COMPRESSION).toBe('brotli-1');
    expect(resolvePipeline(minimal).pipe).toEqual({ compression: 'brotli-1' });
    expect(resolvePipeline({ ...minimal, pipe: { compression: 'deflate-3' } }).pipe.compression).toBe('deflate-3');
    for (const setting of ['none', 'deflate-1', 'deflate-9', 'gzip-1', 'gzip-9', 'brotli-0', 'brotli-11']) {
      expect(() => resolvePipeline({ ...minimal, pipe: { compression: setting } }), setting).not.toThrow();
      expect(parsePipeCompression(setting).algorithm, setting).toBe(setting.split('-')[0]);
    }
  });

  it('refuses unknown codecs and levels out of range, in the spec and in the parser', () => {
    for (const setting of ['zstd-3', 'deflate-0', 'deflate-10', 'gzip', 'brotli-12', 'Deflate-1', '']) {
      let error: unknown;
      try {
        resolvePipeline({ ...minimal, pipe: { compression: setting } });
      } catch (caught) {
        error = caught;
      }
      expect(isFerryError(error, 'FERRY_ERR_CONFIG_INVALID'), setting).toBe(true);
      expect(JSON.stringify((error as { details: unknown }).details), setting).toContain('/pipe/compression');
      expect(() => parsePipeCompression(setting), setting).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CONFIG_INVALID' }));
    }
  });

  it('the load side reads whatever codec the select side chose, whatever its own setting', () => {
    const random = seeded(3);
    const batch = [sbtestTransaction(random, 1), sbtestTransaction(random, 2)];
    const decoder = new WireDecoder();
    ['none', 'deflate-6', 'gzip-1', 'brotli-1', 'brotli-11'].forEach((compression, seq) => {
      expect(decoder.decode(new WireEncoder({ compression, tableScope: 'batch' }).encodeBatch(seq, batch))).toStrictEqual({ kind: 'batch', seq, transactions: batch });
    });
  });
});
