import { describe, expect, it } from 'vitest';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { isFerryError } from '../../../shared/errors/index.ts';

const minimal = { source: 'mysql://u:p@src:3306', target: 'mysql://u:p@tgt:3307', tables: ['shop.*'] };

function problems(spec: Record<string, unknown>): unknown {
  try {
    resolvePipeline({ ...minimal, ...spec });
  } catch (error) {
    if (isFerryError(error)) return error.details.errors;
    throw error;
  }
  return [];
}

describe('the online copy in a pipeline spec', () => {
  it('defaults to no copy and a stop on a purged binlog', () => {
    expect(resolvePipeline(minimal)).toMatchObject({ initialCopy: false, onPurgedBinlog: 'stop' });
    expect(resolvePipeline({ ...minimal, initialCopy: true, onPurgedBinlog: 'resync' })).toMatchObject({ initialCopy: true, onPurgedBinlog: 'resync' });
  });

  it('refuses initialCopy with from, and an unknown onPurgedBinlog, naming the field', () => {
    expect(problems({ initialCopy: true, from: 'gtid:0-1-5' })).toEqual([expect.objectContaining({ path: '/initialCopy', message: expect.stringContaining('not both') as unknown })]);
    expect(problems({ onPurgedBinlog: 'ignore' })).toEqual([expect.objectContaining({ path: '/onPurgedBinlog' })]);
  });
});
