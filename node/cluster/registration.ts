import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

const POLL_MS = 500;

/**
 * This node's ephemeral znode /nodes/<id>: managers see the node alive while it exists and
 * read its datacenter, capacity and state from it. Written only by the node that owns it.
 */
export class Registration {
  private constructor(
    private readonly zk: ZkClient,
    private record: NodeRecord,
  ) {}

  get state(): NodeRecord['state'] {
    return this.record.state;
  }

  /**
   * Creates the znode. When another session holds it, that may be this node's own previous
   * process (crashed, session not yet expired): wait up to `waitMs` for it to go, then give
   * up with FERRY_ERR_NODE_ID_TAKEN.
   */
  static async register(zk: ZkClient, record: NodeRecord, waitMs: number, log: Logger, signal?: AbortSignal): Promise<Registration> {
    const path = zkPaths.node(record.id);
    const deadline = Date.now() + waitMs;
    let waitLogged = false;
    for (;;) {
      signal?.throwIfAborted();
      try {
        await zk.create(path, JSON.stringify(record), 'ephemeral');
        return new Registration(zk, record);
      } catch (error) {
        if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS')) throw error;
      }
      const holder = await zk.getData(path).catch((error: unknown) => {
        if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
        throw error;
      });
      if (holder === undefined) continue;
      if (holder.ephemeralOwner === zk.sessionId) {
        // Our own create went through before a connection loss hid its answer.
        const registration = new Registration(zk, record);
        await registration.write();
        return registration;
      }
      if (Date.now() >= deadline) {
        throw new FerryError('FERRY_ERR_NODE_ID_TAKEN', { id: record.id, address: addressOf(holder.data) });
      }
      if (!waitLogged) {
        waitLogged = true;
        log.warn({ path, owner: holder.ephemeralOwner, waitMs }, 'node id held by another session, waiting for it to expire');
      }
      await sleep(POLL_MS, undefined, signal ? { signal } : {});
    }
  }

  /** Changes the state managers read ('full', back to 'up', 'leaving'); 'leaving' is final. */
  async setState(state: NodeRecord['state']): Promise<void> {
    if (this.record.state === state || this.record.state === 'leaving') return;
    this.record = { ...this.record, state };
    await this.write();
  }

  /** Creates the znode again if someone deleted it while the session lives (managers would think the node dead). */
  async ensure(log: Logger): Promise<void> {
    if ((await this.zk.exists(zkPaths.node(this.record.id))) !== null) return;
    log.warn({ path: zkPaths.node(this.record.id) }, 'node znode was deleted, registering again');
    await this.zk.create(zkPaths.node(this.record.id), JSON.stringify(this.record), 'ephemeral').catch((error: unknown) => {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS')) throw error;
    });
  }

  private async write(): Promise<void> {
    await this.zk.setData(zkPaths.node(this.record.id), JSON.stringify(this.record));
  }
}

function addressOf(data: Buffer): string {
  try {
    return (JSON.parse(data.toString('utf8')) as Partial<NodeRecord>).address ?? 'unknown address';
  } catch {
    return 'unknown address';
  }
}
