import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startManager } from '../../../manager/index.ts';
import { ConfigStore, encode } from '../../../shared/cluster/config-store.ts';
import type { DataSourceSpecT } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { addKeyToFile, openPassword, readKeyring } from '../../../shared/secrets/index.ts';
import { testSecretKeyFile } from '../../support/secret-key.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { ADMIN_TOKEN, apiClient, dataSource, testManager, type ErrorBody } from '../manager/manager-support.ts';

/** A manager in this process on a real ZooKeeper: what it writes for a password, with a key and without. */

async function storedPassword(zk: string, groupKey: string): Promise<string> {
  const client = await zkClient(zk);
  return (JSON.parse((await client.getData(zkPaths.dataSource(groupKey))).data.toString('utf8')) as DataSourceSpecT).password;
}

describe('manager: data source passwords at rest', () => {
  it('seals each password under the key file before it reaches ZooKeeper, a new one on PUT too', async () => {
    const zk = await zkChroot();
    const api = apiClient((await testManager(zk)).url);
    const keys = readKeyring(testSecretKeyFile());
    expect((await api.post('/api/v1/datasources', dataSource('src', 3306, { password: 'Kp-first-pw' }))).status).toBe(201);
    const first = await storedPassword(zk, 'src');
    expect(first).toMatch(new RegExp(`^ferry-secret:v1:${keys.sealingKeyId}:`));
    expect(openPassword(() => keys, 'src', first)).toBe('Kp-first-pw');

    const { password: _none, ...withoutPassword } = dataSource('src', 3307);
    expect((await api.put('/api/v1/datasources/src', withoutPassword)).status).toBe(200);
    expect(await storedPassword(zk, 'src')).toBe(first);
    expect((await api.put('/api/v1/datasources/src', { ...withoutPassword, password: 'Kp-second-pw' })).status).toBe(200);
    expect(openPassword(() => keys, 'src', await storedPassword(zk, 'src'))).toBe('Kp-second-pw');
  });

  it('without a key refuses a password (nothing written) but takes a data source without one', async () => {
    const zk = await zkChroot();
    const api = apiClient((await testManager(zk, { secretKeyFile: undefined })).url);
    const refused = await api.post<ErrorBody>('/api/v1/datasources', dataSource('src', 3306, { password: 'Kp-refused-pw' }));
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('FERRY_ERR_SECRET_NO_KEY');
    expect(refused.body.message).toBe("this manager has no secret key to seal the password of data source 'src'");
    expect(JSON.stringify(refused.body)).not.toContain('Kp-refused-pw');
    expect((await api.get('/api/v1/datasources/src')).status).toBe(404);
    expect((await api.post('/api/v1/datasources', dataSource('open', 3306, { password: '' }))).status).toBe(201);
  });

  it('seals the clear-text passwords it finds in ZooKeeper when it starts with a key, through a configuration edit', async () => {
    const zk = await zkChroot();
    const client = await zkClient(zk);
    const store = await ConfigStore.open(client);
    const legacy = (groupKey: string, password: string): DataSourceSpecT => ({ ...dataSource(groupKey, 3306, { password }), active: 'master' });
    await store.edit(() => [
      { op: 'create', path: zkPaths.dataSource('old1'), data: encode(legacy('old1', 'Kp-legacy-1')) },
      { op: 'create', path: zkPaths.dataSource('old2'), data: encode(legacy('old2', 'Kp-legacy-2')) },
      { op: 'create', path: zkPaths.dataSource('none'), data: encode(legacy('none', '')) },
    ]);
    const epochBefore = await store.epoch();
    await testManager(zk);
    const keys = readKeyring(testSecretKeyFile());
    for (const [groupKey, password] of [['old1', 'Kp-legacy-1'], ['old2', 'Kp-legacy-2']] as const) {
      const stored = await storedPassword(zk, groupKey);
      expect(stored).toMatch(/^ferry-secret:v1:/);
      expect(openPassword(() => keys, groupKey, stored)).toBe(password);
    }
    expect(await storedPassword(zk, 'none')).toBe('');
    // Nodes follow the configuration epoch: the migration moved it, once.
    expect(await store.epoch()).toBe(epochBefore + 1);
  });

  it('refuses to start with a key file its group or others may read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-open-key-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'secret.key');
    addKeyToFile(keyFile);
    chmodSync(keyFile, 0o644);
    const zk = await zkChroot();
    await expect(startManager({ zk, adminToken: ADMIN_TOKEN, secretKeyFile: keyFile })).rejects.toMatchObject({ code: 'FERRY_ERR_SECRET_KEY_FILE' });
  });
});
