import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { managerZkAuth, nodeZkAuth } from '../../../cli/zk-auth-flags.ts';
import { silentLogger } from '../../../shared/logging.ts';

const log = silentLogger();

const MANAGER = 'mgr:m-pw';
const NODE = 'nd:n-pw';

describe('ZooKeeper credentials on the command line', () => {
  it('refuses to start without credentials, saying what to do, unless --zk-insecure (which warns)', () => {
    expect(() => managerZkAuth({}, {}, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_MISSING', message: expect.stringContaining('FERRY_ZK_AUTH') as string }));
    expect(() => nodeZkAuth({}, {}, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_MISSING', message: expect.stringContaining('FERRY_ZK_NODE_AUTH') as string }));
    const warned = silentLogger();
    const warn = vi.spyOn(warned, 'warn');
    expect(managerZkAuth({ 'zk-insecure': true }, {}, warned)).toBeUndefined();
    expect(nodeZkAuth({ 'zk-insecure': true }, {}, warned)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('refuses --zk-insecure beside credentials', () => {
    expect(() => managerZkAuth({ 'zk-insecure': true }, { FERRY_ZK_AUTH: MANAGER }, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE' }));
    expect(() => nodeZkAuth({ 'zk-insecure': true }, { FERRY_ZK_NODE_AUTH: NODE }, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CLI_USAGE' }));
  });

  it('gives a manager both identities, the nodes\' defaulting to its own', () => {
    expect(managerZkAuth({}, { FERRY_ZK_AUTH: MANAGER, FERRY_ZK_NODE_AUTH: NODE }, log)).toEqual({ manager: { user: 'mgr', password: 'm-pw' }, node: { user: 'nd', password: 'n-pw' } });
    expect(managerZkAuth({}, { FERRY_ZK_AUTH: MANAGER }, log)).toEqual({ manager: { user: 'mgr', password: 'm-pw' } });
    expect(() => managerZkAuth({}, { FERRY_ZK_NODE_AUTH: NODE }, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_MISSING' }));
  });

  it('gives a node its own identity, and the managers\' only in a cluster that has one', () => {
    expect(nodeZkAuth({}, { FERRY_ZK_AUTH: MANAGER, FERRY_ZK_NODE_AUTH: NODE }, log)).toEqual({ user: 'nd', password: 'n-pw' });
    expect(nodeZkAuth({}, { FERRY_ZK_AUTH: MANAGER }, log)).toEqual({ user: 'mgr', password: 'm-pw' });
  });

  it('reads files given by flag before the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-zk-flags-'));
    writeFileSync(join(dir, 'm'), 'file-mgr:x1\n');
    writeFileSync(join(dir, 'n'), 'file-nd:x2\n');
    expect(managerZkAuth({ 'zk-auth-file': join(dir, 'm'), 'zk-node-auth-file': join(dir, 'n') }, { FERRY_ZK_AUTH: MANAGER }, log)).toEqual({ manager: { user: 'file-mgr', password: 'x1' }, node: { user: 'file-nd', password: 'x2' } });
    expect(nodeZkAuth({ 'zk-node-auth-file': join(dir, 'n') }, { FERRY_ZK_NODE_AUTH: NODE }, log)).toEqual({ user: 'file-nd', password: 'x2' });
  });

  it('reports a malformed FERRY_ZK_AUTH by name, without its value', () => {
    expect(() => managerZkAuth({}, { FERRY_ZK_AUTH: 'no-colon-secret' }, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_INVALID', message: expect.not.stringContaining('no-colon-secret') as string }));
    expect(() => nodeZkAuth({}, { FERRY_ZK_NODE_AUTH: 'user:' }, log)).toThrow(expect.objectContaining({ code: 'FERRY_ERR_ZK_AUTH_INVALID', message: expect.stringContaining('FERRY_ZK_NODE_AUTH') as string }));
  });
});
