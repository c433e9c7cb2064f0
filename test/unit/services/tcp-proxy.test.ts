import { describe, expect, it, onTestFinished } from 'vitest';
import { TcpProxy } from '../../../services/tcp-proxy.ts';
import { staysTrue } from '../../support/waits.ts';
import { collect, connect, testServer } from './sockets.ts';

describe('TcpProxy on the WAN proxy', () => {
  it('goes dark on the chunk goDarkWhen() matches, before forwarding it, and resume() forwards it in order', async () => {
    const server = await testServer();
    const proxy = await TcpProxy.start('127.0.0.1', server.port);
    onTestFinished(() => proxy.close());
    const client = await connect(proxy.port);
    const far = collect(await server.next());
    client.write('SELECT 1;');
    await far.until(9);
    proxy.goDarkWhen((chunk) => chunk.includes('COMMIT'));
    client.write('COMMIT;');
    await expect.poll(() => proxy.triggeredLink?.id).toBe(1);
    expect(proxy.isDark).toBe(true);
    client.write('after;');
    await staysTrue(() => Promise.resolve(far.bytes() === 9), 1_000);
    proxy.resume();
    await far.until(9 + 7 + 6);
    expect(far.data().toString()).toBe('SELECT 1;COMMIT;after;');
    expect(proxy.list()).toMatchObject([{ id: 1, clientClosed: false, bytesUp: 22, bytesDown: 0 }]);
  });
});
