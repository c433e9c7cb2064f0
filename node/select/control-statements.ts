/** A statement that steers a transaction, as the server writes it into the binlog. */
export type ControlStatement =
  | { kind: 'begin' | 'commit' | 'rollback' }
  /** A two-phase XA step; `xid` as the server spells it (X'..',X'..',n), the same in each step. */
  | { kind: 'xa'; verb: string; xid: string }
  | { kind: 'savepoint' | 'rollback_to' | 'release'; name: string };

/** A savepoint name: `quoted` (with `` for a backtick) or bare; compared without case. */
const NAME = String.raw`(\`(?:[^\`]|\`\`)+\`|[^\s;]+)`;
const SAVEPOINT = new RegExp(String.raw`^SAVEPOINT\s+${NAME}`, 'i');
const ROLLBACK_TO = new RegExp(String.raw`^ROLLBACK\s+(?:WORK\s+)?TO\s+(?:SAVEPOINT\s+)?${NAME}`, 'i');
const RELEASE = new RegExp(String.raw`^RELEASE\s+SAVEPOINT\s+${NAME}`, 'i');

function savepointName(raw: string): string {
  const name = raw.startsWith('`') ? raw.slice(1, -1).replace(/``/g, '`') : raw;
  return name.toLowerCase();
}

/**
 * Classifies the transaction-control statements the server logs (it writes them itself, in
 * its own spelling, without comments); undefined for anything else (DDL, ...).
 */
export function parseControlStatement(statement: string): ControlStatement | undefined {
  const head = statement.slice(0, 20).toUpperCase();
  if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) return { kind: 'begin' };
  if (head.startsWith('COMMIT')) return { kind: 'commit' };
  if (head.startsWith('XA ')) {
    const [, verb = '', xid = ''] = /^XA\s+(\S+)\s*(.*)$/is.exec(statement) ?? [];
    return { kind: 'xa', verb: verb.toUpperCase(), xid: xid.trim() };
  }
  if (head.startsWith('SAVEPOINT')) {
    const match = SAVEPOINT.exec(statement);
    if (match) return { kind: 'savepoint', name: savepointName(match[1]!) };
  }
  if (head.startsWith('RELEASE')) {
    const match = RELEASE.exec(statement);
    if (match) return { kind: 'release', name: savepointName(match[1]!) };
  }
  if (head.startsWith('ROLLBACK')) {
    const match = ROLLBACK_TO.exec(statement);
    if (match) return { kind: 'rollback_to', name: savepointName(match[1]!) };
    return { kind: 'rollback' };
  }
  return undefined;
}
