import { FerryError } from '../../shared/errors/index.ts';
import type { VerifyOp } from '../pipe/verify-messages.ts';
import type { KeyRange, KeyValues, TableSide } from './row-sql.ts';
import type { SourceTable } from './table-pair.ts';
import type { ChunkSum, RowHash, SourceVerifySide } from './verify-side.ts';
import { fromWire, toWire } from './wire-keys.ts';

export type VerifyAsk = (op: VerifyOp, args: Record<string, unknown>) => Promise<unknown>;

/** A table side and a range as a request carries them. */
export function tableArgs(table: TableSide, range: KeyRange): Record<string, unknown> {
  return {
    table: { schema: table.table.schema, table: table.table.table },
    key: [...table.key],
    columns: [...table.columns],
    range: { ...(range.after === undefined ? {} : { after: toWire(range.after) }), ...(range.upTo === undefined ? {} : { upTo: toWire(range.upTo) }) },
  };
}

const malformed = (op: string): FerryError => new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer: 'select node', detail: `a malformed answer to verify ${op}` });

const keyOf = (value: unknown, op: string): KeyValues => {
  const key = fromWire(value);
  if (key === undefined) throw malformed(op);
  return key;
};

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The source of a split pipeline, as its load node sees it: each question goes over the
 * pipe to the select node, which runs the same SQL on the source next to it
 * (verify-answerer.ts). The load node never connects to the source.
 */
export class PipeSourceSide implements SourceVerifySide {
  constructor(private readonly ask: VerifyAsk) {}

  async tables(): Promise<SourceTable[]> {
    const answer = await this.ask('tables', {});
    if (!Array.isArray(answer)) throw malformed('tables');
    return answer.map((item: unknown) => {
      const table = item as { source?: { schema?: unknown; table?: unknown }; key?: unknown; columns?: unknown };
      if (typeof table.source?.schema !== 'string' || typeof table.source.table !== 'string' || !strings(table.key) || !strings(table.columns)) throw malformed('tables');
      return { source: { schema: table.source.schema, table: table.source.table }, key: table.key, columns: table.columns };
    });
  }

  async position(): Promise<string | undefined> {
    const answer = await this.ask('position', {});
    if (answer !== null && typeof answer !== 'string') throw malformed('position');
    return answer ?? undefined;
  }

  async checksum(table: TableSide, range: KeyRange): Promise<ChunkSum> {
    const answer = (await this.ask('checksum', tableArgs(table, range))) as { n?: unknown; x?: unknown } | null;
    if (typeof answer?.n !== 'number' || typeof answer.x !== 'string') throw malformed('checksum');
    return { n: answer.n, x: answer.x };
  }

  async keyAt(table: TableSide, range: KeyRange, offset: number): Promise<KeyValues | undefined> {
    const answer = await this.ask('keyAt', { ...tableArgs(table, range), offset });
    return answer === null ? undefined : keyOf(answer, 'keyAt');
  }

  async rowHashes(table: TableSide, range: KeyRange): Promise<RowHash[]> {
    const answer = await this.ask('rowHashes', tableArgs(table, range));
    if (!Array.isArray(answer)) throw malformed('rowHashes');
    return answer.map((item: unknown) => {
      const row = item as { key?: unknown; hash?: unknown };
      if (typeof row.hash !== 'string') throw malformed('rowHashes');
      return { key: keyOf(row.key, 'rowHashes'), hash: row.hash };
    });
  }
}
