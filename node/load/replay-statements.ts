import type { ReplayImage } from '../../shared/model/change.ts';
import { endsStatement, type FormatDescription } from '../../shared/mysql/binlog-events.ts';

/**
 * Bytes of events one `BINLOG '<base64>'` statement may carry so that it stays below the
 * target's max_allowed_packet: base64 writes 4 characters per 3 bytes, and the statement's
 * text and the packet around it take a little more (1 KiB kept for them).
 */
export function replayByteLimit(maxAllowedPacket: number): number {
  // The 1 KiB also covers the statement's head (the pipeline's name is at most 64 characters).
  return Math.floor(Math.max(0, maxAllowedPacket - 1024) / 4) * 3;
}

/**
 * The BINLOG statements that replay a batch's events: each starts with the Format_description
 * (a session of the pool may never have seen one, and it costs ~250 bytes) and carries whole
 * source statements, since the row applier closes a statement's tables only after its last
 * row event (STMT_END_F): a BINLOG statement ending inside one would leave them open. Packs
 * as many statements as fit under `limit` bytes. Undefined when one statement's events alone
 * exceed it, or the events do not end a statement: the batch then goes by SQL.
 */
export function replayStatements(image: ReplayImage, format: FormatDescription, limit: number, pipeline = ''): string[] | undefined {
  // The pipeline's name in a comment: the processlist then tells whose BINLOG statement it is.
  const head = pipeline === '' ? "BINLOG '" : `/* ferry replay ${pipeline} */ BINLOG '`;
  const statements: string[] = [];
  let parts: Buffer[] = [image.format];
  let size = image.format.length;
  let group: Buffer[] = [];
  let groupSize = 0;
  for (const event of image.events) {
    group.push(event);
    groupSize += event.length;
    if (!endsStatement(event, format)) continue;
    if (size + groupSize > limit) {
      if (parts.length === 1) return undefined;
      statements.push(binlogStatement(head, parts));
      parts = [image.format];
      size = image.format.length;
      if (size + groupSize > limit) return undefined;
    }
    for (const part of group) parts.push(part);
    size += groupSize;
    group = [];
    groupSize = 0;
  }
  if (group.length > 0) return undefined;
  if (parts.length > 1) statements.push(binlogStatement(head, parts));
  return statements;
}

function binlogStatement(head: string, parts: Buffer[]): string {
  return `${head}${Buffer.concat(parts).toString('base64')}'`;
}
