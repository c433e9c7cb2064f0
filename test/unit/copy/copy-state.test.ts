import { describe, expect, it } from 'vitest';
import { checkCopyState, copyStateText, newCopyState, parseCopyState, positionReached } from '../../../node/copy/copy-state.ts';
import { fromWire, toWire } from '../../../node/verify/wire-keys.ts';

describe('copy state', () => {
  it('round-trips keys of numbers, exact big integers and bytes through JSON', () => {
    const key = [7, '18446744073709551615', Buffer.from([0, 255, 16])];
    const decoded = fromWire(JSON.parse(JSON.stringify(toWire([7, 18446744073709551615n, Buffer.from([0, 255, 16])]))));
    expect(decoded).toEqual(key);
  });

  it('parses what it wrote, reads NULL as no copy, and refuses a state it did not write', () => {
    const state = { ...newCopyState('resync', 3, 1200, 1000), table: { schema: 's', table: 't' }, after: toWire([5]), rows: 40 };
    expect(parseCopyState(copyStateText(state))).toEqual(state);
    expect(parseCopyState(null)).toBeUndefined();
    expect(() => parseCopyState('{"mode":"x"}')).toThrow(/FERRY_ERR_INTERNAL|copy state/);
    expect(checkCopyState({ ...state, rows: '40' })).toBe("a copy state's rows must be a number");
    expect(checkCopyState({ ...state, after: [{ bytes: 1 }] })).toMatch(/after must be a list/);
  });

  it('tells whether the stream reached the end of the copy window: by GTID per domain, else by file and offset', () => {
    const until = { file: 'mysql-bin.000002', pos: 500, gtidSet: '0-1-10,1-1-100' };
    expect(positionReached({ file: 'mysql-bin.000002', pos: 400, gtidSet: '0-1-10,1-1-99' }, until)).toBe(false);
    expect(positionReached({ file: 'mysql-bin.000002', pos: 500, gtidSet: '0-1-10,1-1-100' }, until)).toBe(true);
    expect(positionReached({ file: 'mysql-bin.000003', pos: 4, gtidSet: '0-1-11,1-1-100' }, until)).toBe(true);
    // A domain the stream has not seen yet: not reached.
    expect(positionReached({ file: 'mysql-bin.000003', pos: 4, gtidSet: '1-1-100' }, until)).toBe(false);
    expect(positionReached({ file: 'mysql-bin.000002', pos: 499 }, { file: 'mysql-bin.000002', pos: 500 })).toBe(false);
    expect(positionReached({ file: 'mysql-bin.000003', pos: 4 }, { file: 'mysql-bin.000002', pos: 500 })).toBe(true);
  });
});
