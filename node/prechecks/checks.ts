import { checkBinlogFormat, checkBinlogRowImage, checkBinlogRowMetadata, checkBinlogRowValueOptions, checkServerId, type ServerVariables } from './binlog-settings.ts';
import { checkAutoIncrement, ONE_WAY, readAutoIncrement } from './auto-increment.ts';
import { checkBinlogRetention } from './binlog-retention.ts';
import type { FlavorTraits } from './flavor-traits.ts';
import { checkPrimaryKeys } from './primary-keys.ts';
import { checkPrivileges } from './privileges.ts';
import { checkTestedFlavor } from './tested-flavor.ts';
import type { CheckOutcome, PrecheckContext, PrecheckId } from './types.ts';

/** What checkers share within one run: facts read once, on first use. */
export interface PrecheckSession {
  ctx: PrecheckContext;
  sourceFlavor(): Promise<FlavorTraits>;
  targetFlavor(): Promise<FlavorTraits>;
  sourceVariables(): Promise<ServerVariables>;
}

export type Checker = (session: PrecheckSession) => Promise<CheckOutcome>;

/** Every check by id; the pure logic lives in the module each one names. */
export const CHECKERS: Record<PrecheckId, Checker> = {
  tested_flavor: async (s) => checkTestedFlavor(await s.sourceFlavor(), await s.targetFlavor()),
  binlog_format: async (s) => checkBinlogFormat(await s.sourceVariables()),
  binlog_row_image: async (s) => checkBinlogRowImage(await s.sourceVariables()),
  binlog_row_metadata: async (s) => checkBinlogRowMetadata(await s.sourceVariables(), await s.sourceFlavor()),
  binlog_row_value_options: async (s) => checkBinlogRowValueOptions(await s.sourceVariables()),
  server_id: async (s) => checkServerId(await s.sourceVariables()),
  privileges: async (s) => checkPrivileges(
    { client: s.ctx.source, flavor: await s.sourceFlavor() },
    { client: s.ctx.target, flavor: await s.targetFlavor() },
    s.ctx.tables,
    s.ctx.targetTables ?? s.ctx.tables,
    s.ctx.systemSchema,
  ),
  primary_keys: (s) => checkPrimaryKeys(s.ctx.source, s.ctx.tables),
  auto_increment: async (s) => (s.ctx.bidirectional === true ? checkAutoIncrement(await readAutoIncrement(s.ctx.source), await readAutoIncrement(s.ctx.target)) : ONE_WAY),
  binlog_retention: async (s) => checkBinlogRetention(s.ctx.source, await s.sourceFlavor(), s.ctx.resumeFrom),
};
