import zookeeper from 'node-zookeeper-client';
import type { Client, Event, Exception, Stat } from 'node-zookeeper-client';

type LibraryError = Error | Exception;
import { FerryError, describeError, type ErrorCode } from '../errors/index.ts';
import type { Logger } from '../logging.ts';
import { openZkTlsTunnel, type ZkTlsOptions, type ZkTlsTunnel } from './zk-tls-tunnel.ts';
import { INSECURE_ACCESS, normalPerms, type ZkAccess, type ZkAcl } from './zk-acl.ts';

/**
 * Promise adapter over node-zookeeper-client: the only module that imports it. Errors come
 * back as FerryError codes, so callers branch on FERRY_ERR_ZK_* and never on library codes.
 */

export type NodeMode = 'persistent' | 'ephemeral' | 'persistent-sequential' | 'ephemeral-sequential';

export interface WatchEvent {
  type: 'created' | 'deleted' | 'data-changed' | 'children-changed';
  path: string;
}

/** Called once, when the watched node changes (ZooKeeper watches are one-shot). */
export type Watcher = (event: WatchEvent) => void;

export interface NodeData {
  data: Buffer;
  version: number;
  /** Session that owns an ephemeral node, '0' for persistent ones. */
  ephemeralOwner: string;
}

/** One operation of an atomic multi-op (ZooKeeper `multi`): all apply or none. */
export type ZkOp =
  | { op: 'create'; path: string; data?: Buffer | string; mode?: NodeMode }
  | { op: 'set'; path: string; data: Buffer | string; version?: number }
  | { op: 'check'; path: string; version: number }
  | { op: 'remove'; path: string; version?: number };

export type SessionState = 'connected' | 'disconnected' | 'expired';

export interface ZkClientOptions {
  /** host:port[,host:port...][/chroot] */
  connectString: string;
  /** Requested session timeout; the server may clamp it. @default 10000 */
  sessionTimeoutMs?: number;
  /** How long connect() waits for the first session. @default 15000 */
  connectTimeoutMs?: number;
  /** Reach the servers' secureClientPorts through a TLS tunnel of this client's own. @default plain TCP */
  tls?: ZkTlsOptions;
  /** Where the TLS tunnel logs handshakes refused once connected (reconnects). @default nowhere */
  log?: Logger;
  /** Credentials and the ACL of every znode this client creates. @default INSECURE_ACCESS (world:anyone:cdrwa) */
  access?: ZkAccess;
}

const MODES: Record<NodeMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  'persistent-sequential': zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  'ephemeral-sequential': zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

const LIBRARY_CODES: Record<number, ErrorCode> = {
  [zookeeper.Exception.NO_NODE]: 'FERRY_ERR_ZK_NO_NODE',
  [zookeeper.Exception.NODE_EXISTS]: 'FERRY_ERR_ZK_NODE_EXISTS',
  [zookeeper.Exception.BAD_VERSION]: 'FERRY_ERR_ZK_BAD_VERSION',
  [zookeeper.Exception.NOT_EMPTY]: 'FERRY_ERR_ZK_NOT_EMPTY',
};

const EVENT_TYPES: Record<number, WatchEvent['type']> = {
  [zookeeper.Event.NODE_CREATED]: 'created',
  [zookeeper.Event.NODE_DELETED]: 'deleted',
  [zookeeper.Event.NODE_DATA_CHANGED]: 'data-changed',
  [zookeeper.Event.NODE_CHILDREN_CHANGED]: 'children-changed',
};

const PERMISSION_BITS: Record<string, number> = { c: zookeeper.Permission.CREATE, d: zookeeper.Permission.DELETE, r: zookeeper.Permission.READ, w: zookeeper.Permission.WRITE, a: zookeeper.Permission.ADMIN };

const toLibraryAcl = (acl: readonly ZkAcl[]) =>
  acl.map((entry) => new zookeeper.ACL([...entry.perms].reduce((bits, letter) => bits | (PERMISSION_BITS[letter] ?? 0), 0), new zookeeper.Id(entry.scheme, entry.id)));

// The typings call the bit mask `perms`; the library's objects carry it as `permission`.
const bitsOf = (entry: InstanceType<typeof zookeeper.ACL>): number => (entry as unknown as { permission?: number }).permission ?? entry.perms;

const fromLibraryAcl = (acl: readonly InstanceType<typeof zookeeper.ACL>[]): ZkAcl[] =>
  acl.map((entry) => ({ scheme: entry.id.scheme as ZkAcl['scheme'], id: entry.id.id, perms: normalPerms(Object.entries(PERMISSION_BITS).filter(([, bit]) => (bitsOf(entry) & bit) !== 0).map(([letter]) => letter).join('')) }));

function toFerryError(error: LibraryError, operation: string, path: string, version?: number, identity = 'anonymous'): FerryError {
  const libraryCode = (error as { getCode?: () => number }).getCode?.();
  // ZooKeeper's NO_AUTH: wrong credentials, or a tree that belongs to someone else.
  if (libraryCode === zookeeper.Exception.NO_AUTH) return new FerryError('FERRY_ERR_ZK_NO_AUTH', { operation, path, identity }, { cause: error });
  const code = libraryCode === undefined ? undefined : LIBRARY_CODES[libraryCode];
  if (code) return new FerryError(code, { path, version }, { cause: error });
  return new FerryError('FERRY_ERR_ZK_OPERATION', { operation, path, detail: describeError(error) }, { cause: error });
}

const wrapWatcher = (watcher: Watcher) => (event: Event) =>
  watcher({ type: EVENT_TYPES[event.getType()] ?? 'data-changed', path: event.getPath() });

const toBuffer = (data: Buffer | string | undefined): Buffer | undefined =>
  data === undefined ? undefined : typeof data === 'string' ? Buffer.from(data) : data;

export class ZkClient {
  private readonly client: Client;
  private readonly stateListeners = new Set<(state: SessionState) => void>();
  private closed = false;

  private constructor(
    client: Client,
    readonly connectString: string,
    readonly access: ZkAccess,
    /** The TLS tunnel the client talks through; it closes with the client. */
    private readonly tunnel?: ZkTlsTunnel,
  ) {
    this.client = client;
    client.on('connected', () => this.emit('connected'));
    client.on('disconnected', () => this.emit('disconnected'));
    client.on('expired', () => this.emit('expired'));
  }

  /**
   * Connects and waits for a session; fails with FERRY_ERR_ZK_CONNECT_TIMEOUT, or with
   * FERRY_ERR_ZK_TLS_REFUSED once every server refused the TLS handshake (or at the timeout
   * when one did), so the cause is named instead of a bare timeout.
   */
  static async connect(options: ZkClientOptions): Promise<ZkClient> {
    const timeoutMs = options.connectTimeoutMs ?? 15_000;
    const tunnel = options.tls ? await openZkTlsTunnel(options.connectString, options.tls) : undefined;
    const client = zookeeper.createClient(tunnel?.connectString ?? options.connectString, { sessionTimeout: options.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: 1 });
    const access = options.access ?? INSECURE_ACCESS;
    // Sent right after the handshake (and again after every reconnection), before any request.
    for (const { user, password } of access.credentials ?? []) client.addAuthInfo('digest', Buffer.from(`${user}:${password}`));
    const wrapper = new ZkClient(client, options.connectString, access, tunnel);
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: FerryError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.close();
        void tunnel?.close();
        reject(error);
      };
      const timer = setTimeout(() => fail(tunnel?.lastRefusal() ?? new FerryError('FERRY_ERR_ZK_CONNECT_TIMEOUT', { connectString: options.connectString, timeoutMs })), timeoutMs);
      tunnel?.onRefusal(() => {
        const refusal = tunnel.refusedByAll();
        if (refusal) fail(refusal);
      });
      client.once('connected', () => {
        settled = true;
        clearTimeout(timer);
        if (options.log) tunnel?.logFrom(options.log);
        resolve();
      });
      client.connect();
    });
    return wrapper;
  }

  /** Hex session id: ephemeral nodes of this session carry it as their owner. */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  onState(listener: (state: SessionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private emit(state: SessionState): void {
    for (const listener of this.stateListeners) listener(state);
  }

  create(path: string, data?: Buffer | string, mode: NodeMode = 'persistent'): Promise<string> {
    return new Promise((resolve, reject) => {
      const callback = (error: LibraryError | null, created: string) => (error ? reject(this.error(error, 'create', path)) : resolve(created));
      const buffer = toBuffer(data);
      // Every znode gets its ACL from the access policy: no call site chooses (or forgets) one.
      const acl = toLibraryAcl(this.access.aclFor(path));
      if (buffer === undefined) this.client.create(path, acl, MODES[mode], callback);
      else this.client.create(path, buffer, acl, MODES[mode], callback);
    });
  }

  /**
   * Creates the path and any missing parents; fine when it exists already. Looks before it
   * creates: ZooKeeper checks the parent's ACL before it checks for an existing node, so a
   * blind create of an existing parent would be refused to an identity without create there.
   */
  async mkdirp(path: string): Promise<void> {
    let prefix = '';
    for (const part of path.split('/').slice(1)) {
      prefix = `${prefix}/${part}`;
      if ((await this.exists(prefix)) !== null) continue;
      await this.create(prefix).catch((error: unknown) => {
        if (!(error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NODE_EXISTS')) throw error;
      });
    }
  }

  /** The node's ACL and its ACL version (for setAcl's compare-and-set). */
  getAcl(path: string): Promise<{ acl: ZkAcl[]; aclVersion: number }> {
    return new Promise((resolve, reject) => {
      this.client.getACL(path, (error, acl, stat) => (error ? reject(this.error(error, 'getACL', path)) : resolve({ acl: fromLibraryAcl(acl), aclVersion: stat.aversion })));
    });
  }

  /** Replaces the node's ACL; `aclVersion` as getAcl gave it, or -1 blindly. */
  setAcl(path: string, acl: readonly ZkAcl[], aclVersion = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.setACL(path, toLibraryAcl(acl), aclVersion, (error) => (error ? reject(this.error(error, 'setACL', path, aclVersion)) : resolve()));
    });
  }

  private error(error: LibraryError, operation: string, path: string, version?: number): FerryError {
    return toFerryError(error, operation, path, version, this.access.identity);
  }

  /**
   * Version of the node, or null when it does not exist. The watcher fires on create, delete or
   * change. ZooKeeper 3.8 answers it whatever the ACL (ZOOKEEPER-2590): znode names are public
   * to anyone who reaches the ensemble, so no name may hold a secret.
   */
  exists(path: string, watcher?: Watcher): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const callback = (error: LibraryError | null, stat: Stat | null) => (error ? reject(this.error(error, 'exists', path)) : resolve(stat ? stat.version : null));
      if (watcher) this.client.exists(path, wrapWatcher(watcher), callback);
      else this.client.exists(path, callback);
    });
  }

  getData(path: string, watcher?: Watcher): Promise<NodeData> {
    return new Promise((resolve, reject) => {
      const callback = (error: LibraryError | null, data: Buffer | null, stat: Stat) =>
        error ? reject(this.error(error, 'getData', path)) : resolve({ data: data ?? Buffer.alloc(0), version: stat.version, ephemeralOwner: stat.ephemeralOwner.toString('hex') });
      if (watcher) this.client.getData(path, wrapWatcher(watcher), callback);
      else this.client.getData(path, callback);
    });
  }

  /** Compare-and-set when `version` is given (FERRY_ERR_ZK_BAD_VERSION on a lost race); -1 writes blindly. */
  setData(path: string, data: Buffer | string, version = -1): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.setData(path, toBuffer(data) ?? null, version, (error, stat) => (error ? reject(this.error(error, 'setData', path, version)) : resolve(stat.version)));
    });
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const callback = (error: LibraryError | null, children: string[]) => (error ? reject(this.error(error, 'getChildren', path)) : resolve(children));
      if (watcher) this.client.getChildren(path, wrapWatcher(watcher), callback);
      else this.client.getChildren(path, callback);
    });
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.remove(path, version, (error) => (error ? reject(this.error(error, 'remove', path, version)) : resolve()));
    });
  }

  /**
   * Applies every operation atomically or none. A failed check or version gives
   * FERRY_ERR_ZK_BAD_VERSION (ZooKeeper does not say which operation failed, so `path` is the
   * first one's).
   */
  multi(ops: readonly ZkOp[]): Promise<void> {
    const transaction = this.client.transaction();
    for (const op of ops) {
      if (op.op === 'create') {
        const buffer = toBuffer(op.data);
        const acl = toLibraryAcl(this.access.aclFor(op.path));
        if (buffer === undefined) transaction.create(op.path, acl, MODES[op.mode ?? 'persistent']);
        else transaction.create(op.path, buffer, acl, MODES[op.mode ?? 'persistent']);
      } else if (op.op === 'set') transaction.setData(op.path, toBuffer(op.data) ?? null, op.version ?? -1);
      else if (op.op === 'check') transaction.check(op.path, op.version);
      else transaction.remove(op.path, op.version ?? -1);
    }
    return new Promise((resolve, reject) => {
      transaction.commit((error) => (error ? reject(this.error(error, 'multi', ops[0]?.path ?? '/')) : resolve()));
    });
  }

  /** Deletes a node and everything below it; fine when it is already gone. */
  async removeRecursive(path: string): Promise<void> {
    let children: string[];
    try {
      children = await this.getChildren(path);
    } catch (error) {
      if (error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NO_NODE') return;
      throw error;
    }
    await Promise.all(children.map((child) => this.removeRecursive(`${path === '/' ? '' : path}/${child}`)));
    try {
      await this.remove(path);
    } catch (error) {
      if (!(error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NO_NODE')) throw error;
    }
  }

  /** Closes the session: its ephemeral nodes go at once. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise<void>((resolve) => {
      // The library emits 'disconnected' once the close request is answered.
      const timer = setTimeout(resolve, 2_000);
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    }).then(() => this.tunnel?.close());
  }
}
