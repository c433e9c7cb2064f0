import { describe, expect, it } from 'vitest';
import { gtidBehind } from '../../../shared/cluster/gtid-behind.ts';

describe('GTID distance between two members', () => {
  it('counts MariaDB transactions behind per domain, and names domains where the member is ahead', () => {
    expect(gtidBehind('0-1-100', '0-1-100')).toEqual({ transactions: 0, domains: {}, ahead: [] });
    expect(gtidBehind('0-1-90', '0-1-100')).toEqual({ transactions: 10, domains: { 0: 10 }, ahead: [] });
    // A domain the member never saw counts whole; its own domain (local writes) is "ahead".
    expect(gtidBehind('0-1-100,2-2-5', '0-1-100,1-3-7')).toEqual({ transactions: 7, domains: { 1: 7 }, ahead: ['2'] });
    // Server ids differ after a failover inside one domain: only sequence numbers count.
    expect(gtidBehind('0-2-120', '0-1-100')).toEqual({ transactions: 0, domains: {}, ahead: ['0'] });
    expect(gtidBehind('', '0-1-3')).toEqual({ transactions: 3, domains: { 0: 3 }, ahead: [] });
  });

  it('counts MySQL transactions of the reference missing from the member', () => {
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(gtidBehind(`${uuid}:1-100`, `${uuid}:1-100`).transactions).toBe(0);
    expect(gtidBehind(`${uuid}:1-90`, `${uuid.toUpperCase()}:1-100`)).toEqual({ transactions: 10, domains: { [uuid]: 10 }, ahead: [] });
    expect(gtidBehind(`${uuid}:1-50:60-100`, `${uuid}:1-100`).transactions).toBe(9);
  });

  it('says unknown, never caught up, when positions cannot be compared', () => {
    expect(gtidBehind(null, '0-1-1')).toMatchObject({ transactions: null, unknown: 'a position is missing' });
    expect(gtidBehind('0-1-1', '3e11fa47-71ca-11e1-9e33-c80aa9429562:1')).toMatchObject({ transactions: null });
    expect(gtidBehind('garbage', '0-1-1')).toMatchObject({ transactions: null, unknown: 'a position cannot be parsed' });
  });
});
