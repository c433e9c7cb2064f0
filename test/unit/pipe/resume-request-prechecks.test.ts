import { describe, expect, it } from 'vitest';
import type { PipePosition } from '../../../node/pipe/control-messages.ts';
import { readResumeRequest, resumeRequestJson } from '../../../node/pipe/channel-payloads.ts';
import { SOURCE_CHECK_IDS, type SourcePrecheckReport } from '../../../node/prechecks/index.ts';

/** The source precheck report in the resume request: carried whole, and checked like every other payload. */

const REPORT: SourcePrecheckReport = {
  version: '10.11.19-MariaDB-log',
  skip: ['binlog_row_value_options'],
  results: SOURCE_CHECK_IDS.map((id) => (id === 'primary_keys'
    ? { id, ok: false, detail: '1 of 2 tables have no key: `shop`.`heap`', instruction: 'Add a primary key', error: { code: 'FERRY_ERR_TABLE_NO_KEY', details: { table: '`shop`.`heap`', tables: ['`shop`.`heap`'] } } }
    : id === 'binlog_row_value_options' ? { id, ok: true, skipped: true, detail: 'skipped by request' } : { id, ok: true, detail: `${id} fine` })),
  privileges: { account: "'repl'@'%'", missing: { problem: "source user 'repl'@'%' lacks BINLOG MONITOR (global)", fix: "On the source run: GRANT BINLOG MONITOR ON *.* TO 'repl'@'%';" } },
  tables: [
    {
      schema: 'shop',
      table: 'orders',
      facts: {
        columns: ['id', 'code', 'note'],
        uniqueIndexes: [{ name: 'PRIMARY', unique: true, columns: [{ name: 'id', nullable: false }] }, { name: 'uk_code', unique: true, columns: [{ name: 'code', nullable: false, prefix: 10 }, { name: null, nullable: true }] }],
        keyTypes: [{ column: 'id', collation: null, type: 'int(11)' }, { column: 'code', collation: 'utf8mb4_bin', type: 'varchar(40)' }],
      },
    },
    { schema: 'shop', table: 'heap', facts: { columns: [], uniqueIndexes: [], keyTypes: [] } },
  ],
};

const START = { file: 'mysql-bin.000003', pos: 4, gtidSet: '0-1-9' };

/** The request's JSON as the load side receives it. */
function wire(report: unknown): PipePosition {
  return JSON.parse(JSON.stringify({ startIfNew: START, prechecks: report })) as PipePosition;
}

/** The report with one field replaced (a path of keys and indexes). */
function broken(path: Array<string | number>, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(REPORT)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

describe('the precheck report in the resume request', () => {
  it('crosses whole, and a request without one stays without', () => {
    const json = JSON.parse(JSON.stringify(resumeRequestJson({ startIfNew: START, sameServerProbe: 'ferry-probe:ab', prechecks: REPORT }))) as PipePosition;
    expect(readResumeRequest(json, 'peer')).toEqual({ startIfNew: START, sameServerProbe: 'ferry-probe:ab', prechecks: REPORT });
    const unread = broken(['privileges'], undefined) as SourcePrecheckReport;
    unread.skip.push('privileges');
    expect(readResumeRequest(wire(unread), 'peer').prechecks).toEqual({ ...REPORT, skip: ['binlog_row_value_options', 'privileges'], privileges: undefined });
    expect(readResumeRequest(wire(broken(['privileges'], { error: 'Access denied' })), 'peer').prechecks?.privileges).toEqual({ error: 'Access denied' });
    expect(readResumeRequest({ startIfNew: START }, 'peer')).toEqual({ startIfNew: START });
  });

  it('drops fields it does not know rather than pass them on', () => {
    const extra = broken(['tables', 0, 'facts', 'extra'], 'x') as SourcePrecheckReport & { junk?: unknown };
    (extra as unknown as Record<string, unknown>).junk = { a: 1 };
    expect(readResumeRequest(wire(extra), 'peer').prechecks).toEqual(REPORT);
  });

  it.each([
    { what: 'a report that is not an object', report: 'all fine' },
    { what: 'a missing version', report: broken(['version'], undefined) },
    { what: 'an unknown id among the skipped', report: broken(['skip', 0], 'binlog_fromat') },
    { what: 'no skip list', report: broken(['skip'], undefined) },
    { what: 'no privileges half while privileges is not skipped', report: broken(['privileges'], undefined) },
    { what: 'a result missing', report: broken(['results'], REPORT.results.slice(1)) },
    { what: 'results out of order', report: broken(['results'], [...REPORT.results].reverse()) },
    { what: 'an unknown check id', report: broken(['results', 0, 'id'], 'binlog_fromat') },
    { what: 'ok that is not a boolean', report: broken(['results', 1, 'ok'], 'yes') },
    { what: 'skipped false', report: broken(['results', 3, 'skipped'], false) },
    { what: 'a detail that is not text', report: broken(['results', 0, 'detail'], 42) },
    { what: 'an unknown error code', report: broken(['results', 5, 'error', 'code'], 'FERRY_ERR_MADE_UP') },
    { what: 'an inherited name as error code', report: broken(['results', 5, 'error', 'code'], 'toString') },
    { what: 'error details that are a list', report: broken(['results', 5, 'error', 'details'], ['x']) },
    { what: 'a privileges half without an account', report: broken(['privileges', 'account'], undefined) },
    { what: 'a missing privilege without its fix', report: broken(['privileges', 'missing', 'fix'], undefined) },
    { what: 'tables that are not a list', report: broken(['tables'], { shop: 'orders' }) },
    { what: 'a table without a schema', report: broken(['tables', 0, 'schema'], undefined) },
    { what: 'a column name that is not text', report: broken(['tables', 0, 'facts', 'columns', 1], 7) },
    { what: 'a prefix of 0', report: broken(['tables', 0, 'facts', 'uniqueIndexes', 1, 'columns', 0, 'prefix'], 0) },
    { what: 'nullable missing', report: broken(['tables', 0, 'facts', 'uniqueIndexes', 0, 'columns', 0, 'nullable'], undefined) },
    { what: 'a collation that is a number', report: broken(['tables', 0, 'facts', 'keyTypes', 1, 'collation'], 45) },
    { what: 'facts missing', report: broken(['tables', 1, 'facts'], undefined) },
  ])('refuses $what as FERRY_ERR_PIPE_PROTOCOL', ({ report }) => {
    let error: unknown;
    try {
      readResumeRequest(wire(report), 'select-node:7001');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL', details: { peer: 'select-node:7001' } });
    expect((error as Error).message).toMatch(/^the pipe peer select-node:7001 broke the protocol: a resume request: prechecks/);
  });
});
