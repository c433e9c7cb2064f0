import type { FastifyRequest } from 'fastify';
import type { ArbiterContext } from '../../shared/cluster/arbiter/index.ts';
import type { ConfigStore } from '../../shared/cluster/config-store.ts';
import type { Logger } from '../../shared/logging.ts';
import type { KeySource } from '../../shared/secrets/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { AuditRecorder } from '../audit/index.ts';
import { badRequest } from '../config/bad-request.ts';
import type { HistoryPruner } from '../config/history-retention.ts';
import type { EditContext } from '../config/recorded-edit.ts';
import type { Action, Principal } from './auth.ts';
import type { SignInLimits } from './sign-in-limiter.ts';
import type { ApiMetrics } from './routes/metrics.ts';

/** What the routes need from the manager. Getters: the ZooKeeper session is replaced after expiry. */
export interface ApiContext {
  /** A getter: with --port 0 the default id is known only once the API listens. */
  managerId(): string;
  adminToken: string;
  log: Logger;
  zk(): ZkClient;
  store(): ConfigStore;
  isLeader(): boolean;
  /** Timeouts of the arbiter actions the API runs (lock, rollback acks, placement). @default ARBITER_DEFAULTS */
  arbiter?: Pick<ArbiterContext, 'lockTimeoutMs' | 'clearTimeoutMs' | 'placeTimeoutMs'>;
  /** Where alarm changes made through the API (warnings, clears) are POSTed. @default none */
  alarmWebhookUrl?: string;
  /** The keys data source passwords are sealed with (shared/secrets). @default none: passwords are refused */
  secrets?: KeySource;
  /** Prunes configuration history after each edit. @default none: history is never pruned */
  history?: HistoryPruner;
  /** Failed sign-ins tolerated per client address. @default SIGN_IN_LIMITS */
  signInLimits?: SignInLimits;
  /** Records API writes and failed sign-ins (manager/audit). @default none: nothing is audited */
  audit?: AuditRecorder;
  /** What GET /metrics serves. @default process metrics only, any valid token */
  metrics?: ApiMetrics;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What the route does, or 'public' (health, OpenAPI: no token). Every route must say one:
     * a route without is refused when the API is built (see route-guard.ts).
     */
    action?: Action | 'public';
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const API = '/api/v1';

/** What configuration edits need, from the current session. */
export function editContext(ctx: ApiContext): EditContext {
  return { zk: ctx.zk(), store: ctx.store(), ...(ctx.history === undefined ? {} : { history: ctx.history }) };
}

/** Who asked, for `by` fields ('api:<token name>'). */
export function requester(request: FastifyRequest): string {
  return `api:${request.principal?.name ?? 'anonymous'}`;
}

/**
 * The version a write is conditional on: `If-Match: 3` (or an ETag `"3"`) or `?version=3`;
 * undefined when neither is given. Both given and different is a 400.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  const query = (request.query as { version?: string } | undefined)?.version;
  let fromHeader: number | undefined;
  if (header !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(Array.isArray(header) ? header.join(',') : header);
    if (!match?.[1]) throw badRequest([{ path: 'headers:/if-match', message: 'must be a version number, such as 3 or "3"' }]);
    fromHeader = Number(match[1]);
  }
  const fromQuery = query === undefined ? undefined : Number(query);
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw badRequest([{ path: 'querystring:/version', message: `is ${fromQuery} but If-Match says ${fromHeader}` }]);
  }
  return fromHeader ?? fromQuery;
}

/** Common parts of every route schema for the OpenAPI document. */
export function docs(tag: string, summary: string, isPublic = false) {
  return { tags: [tag], summary, ...(isPublic ? { security: [] } : {}) };
}
