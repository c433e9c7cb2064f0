import { describe, expect, it } from 'vitest';
import { channelInterval, validationDue, type ValidationObservation } from '../../../manager/verify/validation-scheduler.ts';

const running = (newestJob?: ValidationObservation['newestJob']): ValidationObservation => ({ intervalSeconds: 60, status: 'START', copying: false, ...(newestJob ? { newestJob } : {}) } as ValidationObservation);

describe('continuous validation schedule', () => {
  it('validates one interval after the channel is first seen running, then one interval after each job', () => {
    let { due, memory } = validationDue(undefined, running(), 0);
    expect(due).toBe(false);
    ({ due, memory } = validationDue(memory, running(), 59_999));
    expect(due).toBe(false);
    ({ due, memory } = validationDue(memory, running(), 60_000));
    expect(due).toBe(true);
    // The job it started is open: never due meanwhile; counted again from the last tick it was open.
    ({ due, memory } = validationDue({ lastJob: 'job-1', since: 60_000 }, running({ id: 'job-1', open: true }), 200_000));
    expect(due).toBe(false);
    ({ due, memory } = validationDue(memory, running({ id: 'job-1', open: false }), 259_999));
    expect(due).toBe(false);
    ({ due } = validationDue(memory, running({ id: 'job-1', open: false }), 260_000));
    expect(due).toBe(true);
  });

  it('a job someone else started (the API) restarts the count; a channel not running or without validation is never due', () => {
    const memory = { lastJob: 'job-1', since: 0 };
    const seen = validationDue(memory, running({ id: 'job-2', open: false }), 100_000);
    expect(seen).toEqual({ due: false, memory: { lastJob: 'job-2', since: 100_000 } });
    expect(validationDue(memory, { ...running({ id: 'job-1', open: false }), status: 'PAUSE' }, 100_000).due).toBe(false);
    // A pipeline still copying its tables: its target is not whole yet.
    expect(validationDue(memory, { ...running({ id: 'job-1', open: false }), copying: true }, 100_000).due).toBe(false);
    expect(validationDue(memory, { ...running({ id: 'job-1', open: false }), intervalSeconds: 0 }, 100_000)).toEqual({ due: false, memory: undefined });
  });

  it('takes the smallest interval of the pipelines that have validation on', () => {
    const pipeline = (name: string, seconds?: number) => ({ name, source: 'a', target: 'b', tables: ['s.*'], ...(seconds === undefined ? {} : { validation: { intervalSeconds: seconds } }) });
    expect(channelInterval({ name: 'c', pipelines: [pipeline('p1', 600), pipeline('p2', 0)] })).toBe(600);
    expect(channelInterval({ name: 'c', pipelines: [pipeline('p1', 600), pipeline('p2', 120)] })).toBe(120);
    expect(channelInterval({ name: 'c', pipelines: [pipeline('p1')] })).toBe(0);
  });
});
