import { describe, expect, it } from 'vitest';
import { EchoGuard } from '../../../node/load/echo-guard.ts';

describe('EchoGuard', () => {
  it("knows a key's last image written (a row or none), forgets on demand, and past its limit the oldest key", () => {
    const guard = new EchoGuard(2);
    expect(guard.wroteLast('k1', null)).toBe(false);
    guard.wrote('k1', { id: 1, v: 'a', b: Buffer.from('00ff', 'hex') });
    expect(guard.wroteLast('k1', { id: 1, v: 'a', b: Buffer.from('00ff', 'hex') })).toBe(true);
    expect(guard.wroteLast('k1', { id: 1, v: 'A', b: Buffer.from('00ff', 'hex') })).toBe(false);
    expect(guard.wroteLast('k1', null)).toBe(false);
    guard.wrote('k2', null);
    expect(guard.wroteLast('k2', null)).toBe(true);
    guard.wrote('k1', { id: 1, v: 'b' });
    guard.wrote('k3', { id: 3 });
    // k2 is the oldest now (k1 was written again): forgotten.
    expect(guard.wroteLast('k2', null)).toBe(false);
    expect(guard.wroteLast('k1', { id: 1, v: 'b' })).toBe(true);
    guard.forget('k1');
    expect(guard.wroteLast('k1', { id: 1, v: 'b' })).toBe(false);
    expect(guard.wroteLast('k3', { id: 3 })).toBe(true);
  });
});
