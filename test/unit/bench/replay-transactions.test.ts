import { describe, expect, it } from 'vitest';
import { replayTransactions } from '../../../bench/replay-limit.ts';

// How bench/replay-limit.ts cuts the captured backlog into BINLOG statements and transactions.
const format = Buffer.from('FD');
const event = (tag: string, size: number): Buffer => Buffer.concat([Buffer.from(tag), Buffer.alloc(size - tag.length, 0x2e)]);
const decoded = (statement: string): string => {
  const match = /^BINLOG '([A-Za-z0-9+/=]+)'$/.exec(statement);
  if (!match) throw new Error(`not a BINLOG statement: ${statement}`);
  return Buffer.from(match[1]!, 'base64').toString();
};

describe('replay statements of a captured backlog', () => {
  it('gathers whole source transactions until a target transaction holds the rows asked, each statement led by the Format_description event', () => {
    const transactions = [
      { events: [event('T1', 4), event('W1', 6)], rows: 600, scenario: 0 },
      { events: [event('T2', 4), event('W2', 6)], rows: 600, scenario: 0 },
      { events: [event('T3', 4), event('U3', 6)], rows: 100, scenario: 0 },
    ];
    const result = replayTransactions({ format, transactions }, 1000, 1_000_000);
    expect(result.map(({ scenario, statements }) => [scenario, statements.map(decoded)])).toEqual([[0, ['FDT1..W1....T2..W2....']], [0, ['FDT3..U3....']]]);
  });

  it("ends a target transaction where a scenario ends, so each scenario's time is its own", () => {
    const transactions = [
      { events: [event('T1', 4)], rows: 10, scenario: 0 },
      { events: [event('T2', 4)], rows: 10, scenario: 1 },
      { events: [event('T3', 4)], rows: 10, scenario: 1 },
    ];
    const result = replayTransactions({ format, transactions }, 1000, 1_000_000);
    expect(result.map(({ scenario, statements }) => [scenario, statements.map(decoded)])).toEqual([[0, ['FDT1..']], [1, ['FDT2..T3..']]]);
  });

  it('starts a new statement before one would pass the packet limit, never splitting a source transaction', () => {
    const transactions = [1, 2, 3].map((n) => ({ events: [event(`T${n}`, 10), event(`W${n}`, 20)], rows: 10, scenario: 0 }));
    // Format (2) + two transactions (60) = 62 bytes, 84 in base64, 93 with the statement: one fits under 93, two do not.
    const result = replayTransactions({ format, transactions }, 1000, 92);
    expect(result).toHaveLength(1);
    expect(result[0]!.statements.map((statement) => decoded(statement).slice(0, 4))).toEqual(['FDT1', 'FDT2', 'FDT3']);
    expect(replayTransactions({ format, transactions }, 1000, 93)[0]!.statements).toHaveLength(2);
  });

  it('refuses a source transaction too big for one statement', () => {
    expect(() => replayTransactions({ format, transactions: [{ events: [event('T1', 100)], rows: 1, scenario: 0 }] }, 1000, 50)).toThrow(/does not fit/);
  });
});
