import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../chaos/load.ts';
import { Probe } from '../../../chaos/probe.ts';
import { WriterGate } from '../../../chaos/writer-gate.ts';
import { silentLogger } from '../../../shared/logging.ts';

/** Connections that answer every statement at once and record it, as the load's writers send them. */
function fakeServer() {
  const connections: Array<{ statements: string[]; ended: boolean }> = [];
  const connect = () => {
    const record = { statements: [] as string[], ended: false };
    connections.push(record);
    const connection = {
      query: async (sql: string) => {
        record.statements.push(sql.split(' ')[0]!);
        await Promise.resolve();
        return [[], []];
      },
      end: () => {
        record.ended = true;
        return Promise.resolve();
      },
    };
    return Promise.resolve(connection as unknown as Connection);
  };
  const statements = () => connections.reduce((n, c) => n + c.statements.length, 0);
  const commits = () => connections.reduce((n, c) => n + c.statements.filter((s) => s === 'COMMIT').length, 0);
  return { connections, connect, statements, commits };
}

describe('chaos load writer gate', () => {
  it('holds every writer after its COMMIT, sends nothing while held, and reconnects each one after the release', async () => {
    const server = fakeServer();
    const gate = new WriterGate();
    const stop = new AbortController();
    const load = runLoad({ connect: server.connect, writers: 3, perSecond: 500, seed: 1, log: silentLogger(), gate }, stop.signal);
    await sleep(50);
    await gate.hold();
    // Every connection's last statement ends a transaction: none is left open at the gate.
    for (const c of server.connections) expect(c.statements.at(-1) ?? 'COMMIT').toBe('COMMIT');
    const atHold = server.statements();
    const connectionsAtHold = server.connections.length;
    await sleep(100);
    expect(server.statements()).toBe(atHold);

    gate.release();
    await sleep(50);
    expect(server.statements()).toBeGreaterThan(atHold);
    // Each writer dropped its connection (it may lead to the old master) and opened a new one.
    expect(server.connections.length).toBe(connectionsAtHold + 3);
    expect(server.connections.slice(0, connectionsAtHold).every((c) => c.ended)).toBe(true);

    stop.abort();
    const outcome = await load;
    // The ledger's accounting is exact across the hold: one acked transaction per COMMIT sent.
    expect(outcome.acked.size).toBe(server.commits());
    expect(outcome.inDoubt.size).toBe(0);
  });

  it('resolves a hold at once when no writer runs, and again after the writers stopped', async () => {
    const gate = new WriterGate();
    await gate.hold();
    gate.release();
    const server = fakeServer();
    const stop = new AbortController();
    const load = runLoad({ connect: server.connect, writers: 2, perSecond: 500, seed: 2, log: silentLogger(), gate }, stop.signal);
    await sleep(20);
    stop.abort();
    await load;
    await gate.hold();
    expect(gate.isHeld()).toBe(true);
  });

  it('lets held writers end when the load stops, without a release', async () => {
    const server = fakeServer();
    const gate = new WriterGate();
    const stop = new AbortController();
    const load = runLoad({ connect: server.connect, writers: 3, perSecond: 500, seed: 3, log: silentLogger(), gate }, stop.signal);
    await sleep(30);
    await gate.hold();
    stop.abort();
    const outcome = await load;
    expect(outcome.acked.size).toBe(server.commits());
  });
});

describe('chaos probe and the writer gate', () => {
  it('writes no probe value while the gate is held (a switchover), and the hold waits for a probe write under way', async () => {
    const server = fakeServer();
    const gate = new WriterGate();
    const never = () => Promise.reject(new Error('the target is not read here'));
    const probe = new Probe(server.connect, never, 'chaos-forward', 'chaos', 1, gate);
    const stop = new AbortController();
    await gate.hold();
    const bumped = probe.bump(stop.signal);
    await sleep(50);
    expect(server.statements()).toBe(0);
    gate.release();
    expect(await bumped).toBe(1);
    expect(server.statements()).toBe(1);

    // A write already past the gate finishes before hold() resolves: none lands after it.
    const writing = probe.bump(stop.signal);
    await gate.hold();
    expect(server.statements()).toBe(2);
    expect(await writing).toBe(2);
    gate.release();
  });
});
