import { describe, expect, it } from 'vitest';
import { runCtl } from '../../../cli/ctl-command.ts';
import type { CtlTransport } from '../../../cli/ctl/api-client.ts';
import { duration, rate, renderTable } from '../../../cli/ctl/table.ts';
import type { HttpRequest } from '../../../shared/http/http-client.ts';
import type { ChannelView } from '../../../manager/index.ts';

type Reply = { status: number; body?: unknown } | NodeJS.ErrnoException;

/** A transport answering from a table of `METHOD url` to replies, recording each request. */
function fakeTransport(replies: Record<string, Reply>) {
  const requests: HttpRequest[] = [];
  const transport: CtlTransport = {
    request(options) {
      requests.push(options);
      const reply = replies[`${options.method} ${options.url}`];
      if (reply === undefined) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      if (reply instanceof Error) return Promise.reject(reply);
      return Promise.resolve({ status: reply.status, text: reply.body === undefined ? '' : JSON.stringify(reply.body) });
    },
  };
  return { transport, requests };
}

async function ctl(argv: string[], replies: Record<string, Reply> = {}, env: NodeJS.ProcessEnv = { FERRY_TOKEN: 'secret-token' }) {
  const { transport, requests } = fakeTransport(replies);
  const lines: string[] = [];
  try {
    const code = await runCtl(argv, (line) => lines.push(line), { env, transport });
    return { code, out: lines.join('\n'), requests, error: undefined };
  } catch (error) {
    return { code: undefined, out: lines.join('\n'), requests, error: error as { code: string; message: string; toLine(): string } };
  }
}

const M1 = 'http://m1:8080';
const M2 = 'http://m2:8080';

const pipeline = (name: string, extra: Partial<ChannelView['pipelines'][number]>) => ({
  name, source: 'shop-a', target: 'shop-b', tables: ['shop.*'], position: '1-1-42', lagMs: 1500, rowsPerSecond: 1234.4, state: 'running',
  statsAt: '2026-12-07T10:00:03.120Z', reportedBy: null, node: 'node-b1', epoch: 3, assignment: 'acked',
  stages: { select: { node: 'node-a1', dc: 'dc-a' }, load: { node: 'node-b1', dc: 'dc-b' } }, pipe: {}, copy: null, conflicts: null, ...extra,
});

const shop = {
  name: 'shop', description: '', status: 'START', statusBy: 'api:admin', statusAt: '2026-12-07T10:00:00.000Z', version: 2, bidirectional: null,
  pipelines: [pipeline('shop-a-b', {}), pipeline('shop-c-b', { stages: { select: { node: 'node-b2', dc: 'dc-b' }, load: { node: 'node-b2', dc: 'dc-b' } }, node: 'node-b2', lagMs: null, rowsPerSecond: 2.25, state: 'failed', error: { code: 'FERRY_ERR_APPLY_FAILED', message: 'boom' } })],
} as unknown as ChannelView;
const idle = { ...shop, name: 'idle', status: 'STOP', statusBy: null, statusAt: null, pipelines: [pipeline('idle-p', { node: null, stages: null, lagMs: null, rowsPerSecond: null, state: null, epoch: null })] };

describe('bin/ferry ctl: tables', () => {
  it('aligns columns under upper-case headers, unknown values as -', () => {
    expect(renderTable(['name', 'lag', 'note'], [['a', '1.5s', null], ['longer-name', undefined, 'x']])).toBe([
      'NAME         LAG   NOTE',
      'a            1.5s  -',
      'longer-name  -     x',
    ].join('\n'));
    expect([duration(850), duration(4_210), duration(42_000), duration(184_000), duration(7_500_000), duration(null)]).toEqual(['850ms', '4.2s', '42s', '3m04s', '2h05m', '-']);
    expect([rate(1234.4), rate(2.25), rate(null)]).toEqual(['1234', '2.3', '-']);
  });

  it('lists channels one pipeline a line: status, state, node (select -> load when split), lag, rows/s, error', async () => {
    const { code, out } = await ctl(['channels', 'list'], { [`GET ${M1}/api/v1/channels`]: { status: 200, body: [idle, shop] } }, { FERRY_TOKEN: 't', FERRY_MANAGER: M1 });
    expect(code).toBe(0);
    expect(out).toBe([
      'CHANNEL  STATUS  PIPELINE  STATE    NODE                LAG   ROWS/S  ERROR',
      'idle     STOP    idle-p    -        -                   -     -       -',
      'shop     START   shop-a-b  running  node-a1 -> node-b1  1.5s  1234    -',
      'shop     START   shop-c-b  failed   node-b2             -     2.3     FERRY_ERR_APPLY_FAILED',
    ].join('\n'));
  });

  it('shows a data source\'s active member and each member\'s health', async () => {
    const ds = {
      groupKey: 'shop-a', dc: 'dc-a', active: 'master', master: { host: 'source', port: 3306 }, standby: { host: 'standby', port: 3306 }, user: 'ferry_repl', version: 1, hasPassword: true,
      health: {
        master: { host: 'source', port: 3306, reachable: true, readOnly: false, replica: null, gtidPosition: '1-1-9' },
        standby: { host: 'standby', port: 3306, reachable: true, readOnly: true, replica: { ioRunning: true, sqlRunning: true, secondsBehindMaster: 0, lastError: '' }, gtidPosition: '1-1-7' },
        active: 'master', behind: { transactions: 2 }, measuredBy: 'node-a1', dc: 'dc-a', at: '2026-12-07T10:00:03.120Z', stale: false,
      },
    };
    const target = { groupKey: 'shop-b', dc: 'dc-b', active: 'master', master: { host: 'target', port: 3306 }, hasPassword: true, version: 0, health: null };
    const { out } = await ctl(['datasources', 'list'], { [`GET ${M1}/api/v1/datasources`]: { status: 200, body: [ds, target] } }, { FERRY_TOKEN: 't', FERRY_MANAGER: M1 });
    expect(out).toBe([
      'GROUPKEY  DC    ACTIVE  ACTIVE SERVER  MASTER  STANDBY                        BEHIND  MEASURED',
      'shop-a    dc-a  master  source:3306    up      up read-only, replica running  2 trx   2026-12-07 10:00:03',
      'shop-b    dc-b  master  target:3306    ?       none                           -       not yet',
    ].join('\n'));
  });

  it('shows a configuration history: version, when, who, what changed', async () => {
    const entries = [
      { version: 7, by: 'api:ops', at: '2026-12-07T10:06:00.000Z', change: 'update', revertOf: 1, diff: [{ path: '/pipelines/0/parallel', from: 8, to: 4 }] },
      { version: 2, by: 'api:ops', at: '2026-12-07T10:05:00.000Z', change: 'update', diff: [{ path: '/pipelines/0/parallel', from: 4, to: 8 }, { path: '/description' }] },
      { version: 1, by: 'api:admin', at: '2026-12-07T10:00:00.000Z', change: 'create', diff: { created: true } },
    ];
    const { out, requests } = await ctl(['--manager', M1, 'channels', 'history', 'shop'], { [`GET ${M1}/api/v1/channels/shop/history`]: { status: 200, body: { channel: 'shop', entries } } });
    expect(requests.map((r) => r.url)).toEqual([`${M1}/api/v1/channels/shop/history`]);
    expect(out).toBe([
      'VERSION  AT                   BY         CHANGE       CHANGED',
      '7        2026-12-07 10:06:00  api:ops    revert to 1  /pipelines/0/parallel',
      '2        2026-12-07 10:05:00  api:ops    update       /pipelines/0/parallel, /description',
      '1        2026-12-07 10:00:00  api:admin  create       created',
    ].join('\n'));
    const ds = await ctl(['--manager', M1, 'datasources', 'history', 'g'], { [`GET ${M1}/api/v1/datasources/g/history`]: { status: 200, body: entries } });
    expect(ds.out.split('\n')).toHaveLength(4);
  });

  it('reverts a channel or a data source to a version, with the reason', async () => {
    const view = { name: 'shop', status: 'STOP', version: 9, spec: { name: 'shop', pipelines: [] }, pipelines: [] };
    const { requests, error } = await ctl(['--manager', M1, 'channels', 'revert', 'shop', '2', '--reason', 'undo parallel'], { [`POST ${M1}/api/v1/channels/shop/revert`]: { status: 200, body: view } });
    expect(error).toBeUndefined();
    expect(requests.map((r) => [r.method, r.url, JSON.parse(String(r.body)) as unknown])).toEqual([['POST', `${M1}/api/v1/channels/shop/revert`, { version: 2, reason: 'undo parallel' }]]);
    expect((await ctl(['--manager', M1, 'datasources', 'revert', 'g', 'two'])).error?.message).toBe("VERSION takes a version number from 'datasources history', got 'two'");
  });
});

describe('bin/ferry ctl: arguments', () => {
  it('refuses a missing token, bad resources, verbs, arguments and flags, all at once, before calling anything', async () => {
    const { error, requests } = await ctl(['channels', 'list', '--reason', 'x', '-o', 'yaml', '--manager', 'ftp://m'], {}, {});
    expect(requests).toEqual([]);
    expect(error?.code).toBe('FERRY_ERR_CLI_USAGE');
    expect(error?.message.split('; ')).toEqual([
      'channels list takes no --reason',
      "-o takes table or json, got 'yaml'",
      "--manager takes an http(s) URL such as http://127.0.0.1:8080, got 'ftp://m'",
      "set FERRY_TOKEN to an API token (the manager's --admin-token, or one made with POST /api/v1/tokens)",
    ]);
    expect((await ctl(['chanels', 'list'])).error?.message).toBe("unknown resource 'chanels': channels, datasources, nodes, events, alarms");
    expect((await ctl(['channels', 'restart', 'x'])).error?.message).toBe("channels has no verb 'restart': list, get, start, pause, stop, history, revert, verify");
    expect((await ctl(['channels', 'start'])).error?.message).toBe('channels start needs NAME');
    expect((await ctl(['channels', 'get', 'a', 'b'])).error?.message).toBe("unexpected argument 'b'");
    expect((await ctl(['events', 'list', '--limit', '0'])).error?.message).toBe("--limit takes a whole number above 0, got '0'");
    expect((await ctl(['datasources', 'switch', 'g', '--to', 'slave'], { [`GET http://127.0.0.1:8080/api/v1/datasources/g`]: { status: 200, body: {} } })).error?.message).toBe("--to takes master or standby, got 'slave'");
  });

  it('sends the token, the reason and query flags, to a manager URL given with /api/v1', async () => {
    const view = { ...shop, status: 'PAUSE' };
    const { code, out, requests } = await ctl(['--manager', `${M1}/api/v1/`, 'channels', 'pause', 'shop', '--reason', 'maintenance'], { [`POST ${M1}/api/v1/channels/shop/pause`]: { status: 200, body: view } });
    expect(code).toBe(0);
    expect(requests[0]).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' }, body: '{"reason":"maintenance"}' });
    expect(out).toMatch(/^channel: +shop\nstatus: +PAUSE \(by api:admin at 2026-12-07 10:00:00\)/);
    const events = await ctl(['--manager', M1, 'events', 'list', '--limit', '5', '--channel', 'shop'], { [`GET ${M1}/api/v1/events?limit=5&channel=shop`]: { status: 200, body: [] } });
    expect(events.code).toBe(0);
  });

  it('starts a verify job and says where to follow it; clears an alarm (204, nothing to print as JSON)', async () => {
    const job = { id: 'job-0000000003', channel: 'shop', state: 'queued', requestedBy: 'api:ops', reason: 'nightly', pipelines: [] };
    const verify = await ctl(['--manager', M1, 'channels', 'verify', 'shop', '--reason', 'nightly'], { [`POST ${M1}/api/v1/channels/shop/verify`]: { status: 202, body: job } });
    expect(verify.requests[0]!.body).toBe('{"reason":"nightly"}');
    expect(verify.out).toMatch(/^verify job: +job-0000000003\n(.|\n)*^follow: +GET \/api\/v1\/channels\/shop\/verify\/job-0000000003$/m);
    const clear = { [`POST ${M1}/api/v1/alarms/lag%3Ashop-a-b/clear`]: { status: 204 } };
    expect((await ctl(['--manager', M1, 'alarms', 'clear', 'lag:shop-a-b'], clear)).out).toBe('alarm lag:shop-a-b cleared');
    expect(await ctl(['--manager', M1, '-o', 'json', 'alarms', 'clear', 'lag:shop-a-b'], clear)).toMatchObject({ code: 0, out: '' });
  });

  it('prints the API\'s JSON with -o json', async () => {
    const { out } = await ctl(['-o', 'json', '--manager', M1, 'channels', 'get', 'shop'], { [`GET ${M1}/api/v1/channels/shop`]: { status: 200, body: shop } });
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(shop)));
  });

  it('switches a data source to the member not active when --to is left out', async () => {
    const ds = { groupKey: 'g', dc: 'dc-a', active: 'standby', master: { host: 'a', port: 1 }, standby: { host: 'b', port: 2 }, health: null };
    const { requests, code } = await ctl(['--manager', M1, 'datasources', 'switch', 'g', '--reason', 'back', '--force'], {
      [`GET ${M1}/api/v1/datasources/g`]: { status: 200, body: ds },
      [`POST ${M1}/api/v1/datasources/g/switch`]: { status: 200, body: { ...ds, active: 'master' } },
    });
    expect(code).toBe(0);
    expect(JSON.parse(requests[1]!.body!)).toEqual({ to: 'master', reason: 'back', force: true });
  });
});

describe('bin/ferry ctl: managers and errors', () => {
  it('tries the next manager when one cannot be reached', async () => {
    const { code, requests } = await ctl(['--manager', M1, '--manager', M2, 'alarms', 'list'], { [`GET ${M2}/api/v1/alarms`]: { status: 200, body: [] } });
    expect(code).toBe(0);
    expect(requests.map((r) => r.url)).toEqual([`${M1}/api/v1/alarms`, `${M2}/api/v1/alarms`]);
  });

  it('never sends a write again after a connection that may have delivered it', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { error, requests } = await ctl(['--manager', M1, '--manager', M2, 'channels', 'stop', 'shop'], { [`POST ${M1}/api/v1/channels/shop/stop`]: reset, [`POST ${M2}/api/v1/channels/shop/stop`]: { status: 200, body: shop } });
    expect(requests).toHaveLength(1);
    expect(error?.code).toBe('FERRY_ERR_CTL_UNREACHABLE');
    expect(error?.message).toMatch(/the POST may have been applied/);
  });

  it('says which managers it tried when none answers, with a code and what to do', async () => {
    const { error } = await ctl(['--manager', M1, '--manager', M2, 'nodes', 'list']);
    expect(error?.toLine()).toMatch(/^FERRY_ERR_CTL_UNREACHABLE: no manager answered at http:\/\/m1:8080, http:\/\/m2:8080: http:\/\/m1:8080: ECONNREFUSED; http:\/\/m2:8080: ECONNREFUSED\. What to do: Give bin\/ferry ctl a manager that runs/);
  });

  it('shows an API error as Ferry\'s one line, with the manager\'s code, message and workaround', async () => {
    const body = { code: 'FERRY_ERR_API_NOT_FOUND', message: 'channel nope does not exist', scope: 'config', retryable: false, workaround: 'List what exists.', details: { what: 'channel', name: 'nope' } };
    const { error } = await ctl(['--manager', M1, 'channels', 'get', 'nope'], { [`GET ${M1}/api/v1/channels/nope`]: { status: 404, body } });
    expect(error?.code).toBe('FERRY_ERR_API_NOT_FOUND');
    expect(error?.toLine()).toBe('FERRY_ERR_API_NOT_FOUND: channel nope does not exist. What to do: List what exists.');
    // A code this build does not know (a newer manager) is still shown as it came.
    const newer = await ctl(['--manager', M1, 'channels', 'get', 'x'], { [`GET ${M1}/api/v1/channels/x`]: { status: 409, body: { ...body, code: 'FERRY_ERR_FROM_THE_FUTURE', message: 'later' } } });
    expect(newer.error?.toLine()).toBe('FERRY_ERR_FROM_THE_FUTURE: later. What to do: List what exists.');
    const proxy = await ctl(['--manager', M1, 'alarms', 'list'], { [`GET ${M1}/api/v1/alarms`]: { status: 502, body: undefined } });
    expect(proxy.error?.code).toBe('FERRY_ERR_CTL_BAD_ANSWER');
  });
});
