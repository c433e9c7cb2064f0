import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import { zkConnectString } from '../../services/index.ts';
import { ZkClient } from '../../shared/zk/zk-client.ts';
import { testManagerAccess } from './zk-identities.ts';

/** The ensemble's connect string with no chroot. */
export function zkRoot(): string {
  return zkConnectString(inject('services'));
}

/**
 * A fresh chroot for one test: returns a connect string rooted at it. The chroot and all it
 * holds are removed when the test finishes.
 */
export async function zkChroot(): Promise<string> {
  const chroot = `/test-${randomBytes(6).toString('hex')}`;
  const admin = await ZkClient.connect({ connectString: zkRoot(), access: testManagerAccess });
  await admin.mkdirp(chroot);
  onTestFinished(async () => {
    await admin.removeRecursive(chroot);
    await admin.close();
  });
  return `${zkRoot()}${chroot}`;
}

/** A client on the given connect string, authenticated as the test managers, closed when the test finishes. */
export async function zkClient(connectString: string, sessionTimeoutMs = 4_000): Promise<ZkClient> {
  const client = await ZkClient.connect({ connectString, sessionTimeoutMs, access: testManagerAccess });
  onTestFinished(() => client.close());
  return client;
}
