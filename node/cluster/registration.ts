import type { NodeRecord } from '../../shared/cluster/model.ts';
import { claimEphemeral } from '../../shared/cluster/ephemeral-claim.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

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
    const claim = await claimEphemeral(zk, zkPaths.node(record.id), JSON.stringify(record), { waitMs, log, pollMs: 500, ...(signal ? { signal } : {}) });
    if (claim !== 'created') throw new FerryError('FERRY_ERR_NODE_ID_TAKEN', { id: record.id, address: addressOf(claim.heldBy) });
    return new Registration(zk, record);
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
