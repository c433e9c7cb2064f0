import { checkBinlogFormat, checkBinlogRowImage, checkBinlogRowMetadata, checkServerId, type ServerVariables } from './binlog-settings.ts';
import { checkBinlogRetention } from './binlog-retention.ts';
import type { Flavour } from './flavour.ts';
import { checkPrimaryKeys } from './primary-keys.ts';
import { checkPrivileges } from './privileges.ts';
import type { CheckOutcome, PrecheckContext, PrecheckId } from './types.ts';

/** What checkers share within one run: facts read once, on first use. */
export interface PrecheckSession {
  ctx: PrecheckContext;
  sourceFlavour(): Promise<Flavour>;
  targetFlavour(): Promise<Flavour>;
  sourceVariables(): Promise<ServerVariables>;
}

export type Checker = (session: PrecheckSession) => Promise<CheckOutcome>;

/** Every check by id; the pure logic lives in the module each one names. */
export const CHECKERS: Record<PrecheckId, Checker> = {
  binlog_format: async (s) => checkBinlogFormat(await s.sourceVariables()),
  binlog_row_image: async (s) => checkBinlogRowImage(await s.sourceVariables()),
  binlog_row_metadata: async (s) => checkBinlogRowMetadata(await s.sourceVariables(), await s.sourceFlavour()),
  server_id: async (s) => checkServerId(await s.sourceVariables()),
  privileges: async (s) => checkPrivileges(
    { client: s.ctx.source, flavour: await s.sourceFlavour() },
    { client: s.ctx.target, flavour: await s.targetFlavour() },
    s.ctx.tables,
    s.ctx.targetTables ?? s.ctx.tables,
    s.ctx.systemSchema,
  ),
  primary_keys: (s) => checkPrimaryKeys(s.ctx.source, s.ctx.tables),
  binlog_retention: async (s) => checkBinlogRetention(s.ctx.source, await s.sourceFlavour(), s.ctx.resumeFrom),
};
