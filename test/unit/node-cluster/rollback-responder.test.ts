import { describe, expect, it } from 'vitest';
import { RollbackResponder } from '../../../node/cluster/rollback-responder.ts';
import type { PermitRecord } from '../../../shared/cluster/model.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { assignment, permit, view } from './fixtures.ts';

const flush = () => new Promise((resolve) => setImmediate(resolve));

const rollback = (rollbackId: string, status: PermitRecord['status'] = 'PAUSE'): PermitRecord => ({ ...permit(status), by: 'node:n2', reason: 'FERRY_ERR_TARGET_WRITE', rollbackId });

/** A responder over fake runners and a fake acknowledgement writer. */
function responder(options: { running?: string[]; failAcks?: number } = {}) {
  const aborts: string[] = [];
  const acks: Array<[string, string]> = [];
  let failAcks = options.failAcks ?? 0;
  let finishAbort!: () => void;
  const running = new Set(options.running ?? []);
  const subject = new RollbackResponder('n1', {
    abortChannel: (channel) => {
      aborts.push(channel);
      running.delete(channel);
      return new Promise<void>((resolve) => (finishAbort = resolve));
    },
    hasChannel: (channel) => running.has(channel),
  }, (channel, rollbackId) => {
    if (failAcks-- > 0) return Promise.reject(new Error('ZooKeeper connection loss'));
    acks.push([channel, rollbackId]);
    return Promise.resolve();
  }, silentLogger());
  return { subject, aborts, acks, finishAbort: () => finishAbort() };
}

describe('RollbackResponder', () => {
  it('aborts once per rollback id and acknowledges only after the runners ended', async () => {
    const { subject, aborts, acks, finishAbort } = responder({ running: ['c1'] });
    const paused = view({ permits: { c1: rollback('r1') } });
    subject.respond(paused);
    expect(aborts).toEqual(['c1']);
    await flush();
    expect(acks).toEqual([]);
    finishAbort();
    await flush();
    expect(acks).toEqual([['c1', 'r1']]);
    subject.respond(paused);
    await flush();
    expect(aborts).toEqual(['c1']);
    expect(acks).toHaveLength(1);
    // A new id (the RESTART's own rollback) is acted on again.
    subject.respond(view({ permits: { c1: rollback('r2') } }));
    finishAbort();
    await flush();
    expect(aborts).toEqual(['c1', 'c1']);
    expect(acks).toEqual([['c1', 'r1'], ['c1', 'r2']]);
  });

  it('acknowledges for an assignment it holds without running it, and again in a new session', async () => {
    const { subject, aborts, acks, finishAbort } = responder();
    const paused = view({ assignments: [{ ...assignment('p1', 'n1', 3), state: 'acked' }], permits: { c1: rollback('r1') } });
    subject.respond(paused);
    finishAbort();
    await flush();
    expect(acks).toEqual([['c1', 'r1']]);
    subject.newSession();
    subject.respond(paused);
    await flush();
    expect(acks).toEqual([['c1', 'r1'], ['c1', 'r1']]);
    expect(aborts).toEqual(['c1']);
  });

  it('leaves alone a START permit, a permit without id, and channels it has no part in', async () => {
    const { subject, aborts, acks, finishAbort } = responder();
    subject.respond(view({ permits: { c1: rollback('r1', 'START') } }));
    subject.respond(view({ permits: { c1: permit('PAUSE') } }));
    expect(aborts).toEqual([]);
    subject.respond(view({ assignments: [assignment('p1', 'n2', 3)], permits: { c1: rollback('r2') } }));
    finishAbort();
    await flush();
    expect(acks).toEqual([]);
  });

  it('writes a failed acknowledgement again at the next view', async () => {
    const { subject, acks, finishAbort } = responder({ running: ['c1'], failAcks: 1 });
    const paused = view({ permits: { c1: rollback('r1') } });
    subject.respond(paused);
    finishAbort();
    await flush();
    expect(acks).toEqual([]);
    subject.respond(paused);
    await flush();
    expect(acks).toEqual([['c1', 'r1']]);
  });
});
