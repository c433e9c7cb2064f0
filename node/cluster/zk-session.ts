import { setTimeout as sleep } from 'node:timers/promises';
import { isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { ZkClient, type SessionState } from '../../shared/zk/zk-client.ts';
import type { ZkTlsOptions } from '../../shared/zk/zk-tls-tunnel.ts';
import type { ZkAccess } from '../../shared/zk/zk-acl.ts';

export interface ZkSessionOptions {
  /** host:port[,host:port...][/chroot] */
  connectString: string;
  sessionTimeoutMs: number;
  /** How long one connection attempt waits. */
  connectTimeoutMs: number;
  /** TLS to the servers' secureClientPorts. @default plain TCP */
  tls?: ZkTlsOptions;
  /** Credentials and ACLs. @default INSECURE_ACCESS */
  access?: ZkAccess;
}

export interface SessionHandlers {
  /** A new session: set up everything bound to it. Throwing closes it and tries again later. `closing` aborts a slow set-up. */
  onSession(zk: ZkClient, closing: AbortSignal): Promise<void>;
  /** The session is gone (expired, or its set-up failed): drop everything bound to it. */
  onSessionLost(): void;
  /** A connection attempt failed; `attempt` counts from 1 since the last good session. */
  onUnreachable(error: unknown, attempt: number): void;
  /** Set-up failed in a way no retry cures (FERRY_ERR_NODE_ID_TAKEN, FERRY_ERR_ZK_NO_AUTH): the keeper gives up. */
  onFatal(error: unknown): void;
}

const MAX_DELAY_MS = 10_000;

/**
 * Keeps one ZooKeeper session alive for the node, for as long as it runs: connects (retrying
 * with back-off while the ensemble is unreachable), hands each new session to `onSession`,
 * and after expiry, which kills a client for good, starts over with a new client. A mere
 * disconnection is left to the client library, which reconnects within the session.
 */
export class ZkSessionKeeper {
  private readonly closing = new AbortController();
  private loop: Promise<void> | undefined;
  private current: ZkClient | undefined;
  /** The session's state for ferry_zk_session_state: 'expired' while there is none. */
  private sessionState: SessionState = 'expired';

  constructor(
    private readonly options: ZkSessionOptions,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
  ) {}

  get client(): ZkClient | undefined {
    return this.current;
  }

  get state(): SessionState {
    return this.current === undefined ? 'expired' : this.sessionState;
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => this.handlers.onFatal(error));
  }

  /** Ends the session (its ephemeral znodes go at once) and stops reconnecting. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { signal } = this.closing;
    let attempt = 0;
    let delay = 1_000;
    const pause = async () => {
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    };
    while (!signal.aborted) {
      let client: ZkClient;
      try {
        client = await ZkClient.connect({ ...this.options, log: this.log });
      } catch (error) {
        this.handlers.onUnreachable(error, ++attempt);
        await pause();
        continue;
      }
      // connect() resolves on a live session; its listener below follows it from here.
      this.sessionState = 'connected';
      const ended = new Promise<string>((resolve) => {
        const onAbort = () => resolve('closing');
        signal.addEventListener('abort', onAbort, { once: true });
        client.onState((state) => {
          this.sessionState = state;
          if (state !== 'expired') return;
          signal.removeEventListener('abort', onAbort);
          resolve('session expired');
        });
      });
      try {
        await this.handlers.onSession(client, signal);
      } catch (error) {
        await client.close();
        this.handlers.onSessionLost();
        // Refused credentials are not cured by waiting: say so and stop, rather than retry forever.
        if (isFerryError(error, 'FERRY_ERR_NODE_ID_TAKEN') || isFerryError(error, 'FERRY_ERR_ZK_NO_AUTH')) throw error;
        if (signal.aborted) return;
        this.log.warn({ err: error }, 'ZooKeeper session set-up failed, trying again');
        await pause();
        continue;
      }
      this.current = client;
      attempt = 0;
      delay = 1_000;
      const why = await ended;
      this.current = undefined;
      this.handlers.onSessionLost();
      await client.close();
      if (why !== 'closing') this.log.warn({ reason: why }, 'ZooKeeper session lost, reconnecting with a new session');
    }
  }
}
