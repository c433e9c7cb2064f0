import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { runFerry } from '../../support/cli.ts';
import { makeTestCertificates } from '../../support/tls-certificates.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { ADMIN_TOKEN, apiClient, channel, dataSource, testManager } from './manager-support.ts';

/** bin/ferry ctl as a person runs it (a child process), against a real manager on the test's chroot. */

/** A port nothing listens on: taken from the system, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('bin/ferry ctl against a manager', () => {
  it('lists, gets, starts and stops a channel; -o json gives the API\'s answers; a dead manager is skipped', async () => {
    const manager = await testManager(await zkChroot());
    const api = apiClient(manager.url);
    expect((await api.post('/api/v1/datasources', dataSource('ctl-a', 3306))).status).toBe(201);
    expect((await api.post('/api/v1/datasources', dataSource('ctl-b', 3307, { dc: 'dc2' }))).status).toBe(201);
    expect((await api.post('/api/v1/channels', channel('ctl', [{ name: 'ctl-p', source: 'ctl-a', target: 'ctl-b' }]))).status).toBe(201);
    const env = { FERRY_TOKEN: ADMIN_TOKEN, FERRY_MANAGER: '' };
    const ctl = (...args: string[]) => runFerry(['ctl', '--manager', manager.url, ...args], { env });

    const list = await ctl('channels', 'list');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout.split('\n').slice(0, 2)).toEqual([
      'CHANNEL  STATUS  PIPELINE  STATE  NODE  LAG  ROWS/S  ERROR',
      'ctl      STOP    ctl-p     -      -     -    -       -',
    ]);

    const started = await ctl('channels', 'start', 'ctl', '--reason', 'started by ctl');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^status: +START \(by api:/m);
    expect((await api.get<ChannelView>('/api/v1/channels/ctl')).body.status).toBe('START');

    // The first manager cannot be reached: the read goes to the next one.
    const json = await runFerry(['ctl', '--manager', `http://127.0.0.1:${await deadPort()}`, '--manager', `${manager.url}/api/v1`, '-o', 'json', 'channels', 'get', 'ctl'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'ctl', status: 'START', pipelines: [{ name: 'ctl-p', source: 'ctl-a', target: 'ctl-b' }] });

    const events = JSON.parse((await ctl('-o', 'json', 'events', 'list', '--channel', 'ctl', '--limit', '10')).stdout) as { type: string; reason: string }[];
    expect(events[0]).toMatchObject({ type: 'START', reason: 'started by ctl' });

    const sources = JSON.parse((await ctl('-o', 'json', 'datasources', 'list')).stdout) as { groupKey: string }[];
    expect(sources.map((s) => s.groupKey)).toEqual(['ctl-a', 'ctl-b']);
    expect((await ctl('datasources', 'get', 'ctl-a')).stdout).toMatch(/^master +127\.0\.0\.1:3306 +yes +\?/m);

    // A warning is an alarm of the pipeline; its id holds a ':' that must reach the route whole.
    expect((await api.post('/api/v1/channels/ctl/warning', { reason: 'disk 90% full' })).status).toBe(204);
    expect((await ctl('alarms', 'list')).stdout).toMatch(/^warning:ctl-p +\w+ +ctl /m);
    expect(await ctl('alarms', 'clear', 'warning:ctl-p', '--reason', 'disk grown')).toMatchObject({ code: 0, stdout: 'alarm warning:ctl-p cleared\n' });
    expect((await api.get<unknown[]>('/api/v1/alarms')).body).toEqual([]);

    expect((await ctl('channels', 'stop', 'ctl')).code).toBe(0);
    expect((await api.get<ChannelView>('/api/v1/channels/ctl')).body.status).toBe('STOP');

    // Configuration history and revert, against the manager's real answers.
    const before = (await api.get<ChannelView>('/api/v1/channels/ctl')).body;
    expect((await api.put('/api/v1/channels/ctl', channel('ctl', [{ name: 'ctl-p', source: 'ctl-a', target: 'ctl-b' }], { description: 'edited by ctl test' }))).status).toBe(200);
    expect((await api.get<ChannelView>('/api/v1/channels/ctl')).body.description).toBe('edited by ctl test');
    const history = await ctl('channels', 'history', 'ctl');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^VERSION +AT +BY +CHANGE +CHANGED\n\d+ .* api:admin +update +\/description\n\d+ .* api:admin +create /);
    const entries = (JSON.parse((await ctl('-o', 'json', 'channels', 'history', 'ctl')).stdout) as { entries: Array<{ version: number; change: string }> }).entries;
    const created = entries.find((e) => e.change === 'create')!;
    const reverted = await ctl('channels', 'revert', 'ctl', String(created.version), '--reason', 'undo the edit');
    expect(reverted).toMatchObject({ code: 0, stderr: '' });
    expect((await api.get<ChannelView>('/api/v1/channels/ctl')).body.description).toBe(before.description);
    expect((await ctl('channels', 'history', 'ctl')).stdout.split('\n')[1]).toMatch(new RegExp(`^\\d+ .* api:admin +revert to ${created.version} +\\/description`));
  });

  it('shows the manager\'s error line for a bad token and an unknown channel, and a clear error for a dead manager', async () => {
    const manager = await testManager(await zkChroot());
    const badToken = await runFerry(['ctl', '--manager', manager.url, 'channels', 'list'], { env: { FERRY_TOKEN: 'not-a-token', FERRY_MANAGER: '' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stdout).toBe('');
    expect(badToken.stderr).toMatch(/^ferry: FERRY_ERR_API_UNAUTHORIZED: missing or unknown API token\. What to do: Send `Authorization: Bearer <token>`/);

    const missing = await runFerry(['ctl', '--manager', manager.url, 'channels', 'get', 'nope'], { env: { FERRY_TOKEN: ADMIN_TOKEN, FERRY_MANAGER: '' } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ferry: FERRY_ERR_API_NOT_FOUND: channel nope does not exist\. What to do: /);

    const dead = `http://127.0.0.1:${await deadPort()}`;
    const unreachable = await runFerry(['ctl', '--manager', dead, 'nodes', 'list'], { env: { FERRY_TOKEN: ADMIN_TOKEN, FERRY_MANAGER: '' } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^ferry: FERRY_ERR_CTL_UNREACHABLE: no manager answered at ${dead}: ${dead}: ECONNREFUSED\\. What to do: Give bin/ferry ctl a manager that runs`));

    const noToken = await runFerry(['ctl', '--manager', manager.url, 'nodes', 'list'], { env: { FERRY_TOKEN: '', FERRY_MANAGER: '' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^ferry: FERRY_ERR_CLI_USAGE: set FERRY_TOKEN to an API token/);
  });

  it('speaks HTTPS to a manager with a private CA given by --ca, and refuses its certificate without it', async () => {
    const certs = makeTestCertificates();
    onTestFinished(() => certs.remove());
    const manager = await testManager(await zkChroot(), { host: '127.0.0.1', tls: { cert: certs.cert, key: certs.key } });
    expect(manager.url).toMatch(/^https:/);
    const env = { FERRY_TOKEN: ADMIN_TOKEN, FERRY_MANAGER: '', FERRY_CA_FILE: '' };
    const trusted = await runFerry(['ctl', '--manager', manager.url, '--ca', certs.ca, '-o', 'json', 'nodes', 'list'], { env });
    expect(trusted.code).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ nodes: [], managers: [{ url: manager.url }] });
    const refused = await runFerry(['ctl', '--manager', manager.url, '--ca', certs.otherCa, 'nodes', 'list'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ferry: FERRY_ERR_API_TLS_REFUSED: TLS to the manager https:\/\/127\.0\.0\.1:\d+ failed/);
  });
});
