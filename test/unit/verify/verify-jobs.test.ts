import { describe, expect, it } from 'vitest';
import { differencesOf, jobState, jobView, type VerifyJobRecord, type VerifyPartRecord } from '../../../shared/cluster/verify-jobs.ts';
import { fromWire, toWire } from '../../../node/verify/wire-keys.ts';
import { readVerifyAnswer, readVerifyRequest } from '../../../node/pipe/verify-messages.ts';
import { VerifyAnswerer } from '../../../node/verify/verify-answerer.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';
import type { RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';

const record: VerifyJobRecord = { channel: 'orders', requestedAt: '2026-12-07T10:00:00.000Z', requestedBy: 'api:ops', reason: 'check', pipelines: ['a', 'b'] };
const part = (pipeline: string, state: VerifyPartRecord['state'], extra: Partial<VerifyPartRecord> = {}): VerifyPartRecord => ({ pipeline, state, tables: [], ...extra });
const table = { table: 's.t', target: 's.t', rows: 10, missing: 1, extra: 2, different: 3, samples: { missing: [], extra: [], different: [] } };

describe('verify job state', () => {
  it('is queued until a part starts, running until all ended, failed when one failed, done when all are done', () => {
    expect(jobState(record, [part('a', 'queued'), part('b', 'queued')])).toBe('queued');
    expect(jobState(record, [part('a', 'running'), part('b', 'queued')])).toBe('running');
    expect(jobState(record, [part('a', 'done'), part('b', 'running')])).toBe('running');
    expect(jobState(record, [part('a', 'done'), part('b', 'failed')])).toBe('failed');
    expect(jobState(record, [part('a', 'done'), part('b', 'done')])).toBe('done');
    // What the leader wrote when it ended the job wins.
    expect(jobState({ ...record, state: 'failed' }, [part('a', 'done'), part('b', 'done')])).toBe('failed');
  });

  it('views a job with its first start, its end, and a queued place for a part not yet written', () => {
    const view = jobView('job-0000000001', { ...record, state: 'done', finishedAt: '2026-12-07T10:05:00.000Z' }, [
      part('a', 'done', { node: 'n1', startedAt: '2026-12-07T10:01:00.000Z', tables: [table] }),
    ]);
    expect(view).toMatchObject({ id: 'job-0000000001', state: 'done', startedAt: '2026-12-07T10:01:00.000Z', finishedAt: '2026-12-07T10:05:00.000Z' });
    expect(view.pipelines).toEqual([{ pipeline: 'a', node: 'n1', state: 'done', tables: [table] }, { pipeline: 'b', state: 'queued', tables: [] }]);
    expect(differencesOf(part('a', 'done', { tables: [table, table] }))).toBe(12);
  });
});

describe('verify keys and messages on the wire', () => {
  it('keeps strings, numbers and NULLs, and binary keys as the same bytes', () => {
    const key = ['a', 5, null, Buffer.from([0, 255])];
    const wire = toWire(key);
    expect(JSON.parse(JSON.stringify(wire))).toEqual(['a', 5, null, { hex: '00ff' }]);
    expect(fromWire(JSON.parse(JSON.stringify(wire)))).toEqual(key);
    expect(fromWire([{ hex: 'zz' }])).toBeUndefined();
    expect(fromWire('nope')).toBeUndefined();
  });

  it('refuses malformed requests and answers as protocol errors', () => {
    expect(readVerifyRequest(Buffer.from(JSON.stringify({ id: 1, op: 'checksum', args: { offset: 2 } })), 'p')).toEqual({ id: 1, op: 'checksum', args: { offset: 2 } });
    expect(() => readVerifyRequest(Buffer.from(JSON.stringify({ id: 1, op: 'drop' })), 'p')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }));
    expect(() => readVerifyRequest(Buffer.from('{'), 'p')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }));
    expect(() => readVerifyAnswer(Buffer.from(JSON.stringify({ id: 0 })), 'p')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }));
    expect(readVerifyAnswer(Buffer.from(JSON.stringify({ id: 3, error: { code: 'FERRY_ERR_VERIFY_TABLE', message: 'm', details: { table: 't', detail: 'd' } } })), 'p').error?.code).toBe('FERRY_ERR_VERIFY_TABLE');
  });
});

describe('the select node answering verify requests', () => {
  it('refuses a table the pipeline does not replicate, and malformed keys and offsets, before it touches the source', async () => {
    const pipeline = { name: 'p', mapping: compileTableMapping(['shop.*'], { systemSchema: '_ferry' }) } as unknown as RuntimePipeline;
    const answerer = new VerifyAnswerer(pipeline);
    const ask = (op: 'checksum' | 'keyAt', args: Record<string, unknown>) => answerer.answer({ id: 1, op, args });
    const table = { schema: 'mysql', table: 'user' };
    const refused: unknown = await ask('checksum', { table, key: ['User'], columns: ['authentication_string'] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL' });
    expect((refused as Error).message).toContain('does not replicate');
    await expect(ask('checksum', { table: { schema: 'shop', table: 'orders' }, key: [], columns: ['id'] })).rejects.toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL' });
    await expect(ask('checksum', { table: { schema: 'shop', table: 'orders' }, key: ['id'], columns: ['id'], range: { after: [1, 2] } })).rejects.toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL' });
    await expect(ask('keyAt', { table: { schema: 'shop', table: 'orders' }, key: ['id'], columns: ['id'], offset: -1 })).rejects.toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL' });
    await answerer.close();
  });
});
