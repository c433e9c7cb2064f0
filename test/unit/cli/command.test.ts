import { describe, expect, it } from 'vitest';
import { parseCommandArgs, positiveInt } from '../../../cli/command.ts';

describe('command-line parsing', () => {
  it('refuses unknown options with a usage error', () => {
    expect(() => parseCommandArgs(['--nope'], { known: { type: 'string' } })).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE' }));
  });

  it('reads whole positive numbers and names the flag when one is wrong', () => {
    expect(positiveInt(undefined, '--n', 7)).toBe(7);
    expect(positiveInt('3', '--n', 7)).toBe(3);
    expect(() => positiveInt('0', '--n', 7)).toThrow(/--n takes a whole number above 0, got '0'/);
    expect(() => positiveInt('2.5', '--n', 7)).toThrow(/--n/);
  });
});
