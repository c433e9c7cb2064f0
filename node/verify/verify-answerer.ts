import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { VerifyRequestMessage } from '../pipe/verify-messages.ts';
import { openLocalSource, type OpenedSource } from './local-source.ts';
import type { KeyRange, TableSide } from './row-sql.ts';
import { fromWire, toWire } from './wire-keys.ts';

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item.length > 0);

/**
 * The select node's half of a split pipeline's verify: answers the load node's requests
 * (node/pipe/verify-messages.ts) by running verify's SQL on the source, on a connection opened
 * at the first request and closed with the select side's attempt. Only tables the pipeline's
 * rules replicate are read, and only counts, hashes and keys are answered, never rows.
 */
export class VerifyAnswerer {
  private source: Promise<OpenedSource> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly pipeline: RuntimePipeline) {}

  /** One request at a time on the one connection. */
  answer(request: VerifyRequestMessage): Promise<unknown> {
    const run = this.queue.then(() => this.run(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    if (source) await (await source.catch(() => undefined))?.close();
  }

  private async run(request: VerifyRequestMessage): Promise<unknown> {
    // The request is checked before the source is touched.
    const asked = request.op === 'tables' || request.op === 'position' ? undefined : this.tableAndRange(request.args);
    const offset = request.args.offset;
    if (request.op === 'keyAt' && (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)) throw this.refuse('an offset that is not a whole number >= 0');
    this.source ??= openLocalSource(this.pipeline);
    const opened = await this.source.catch((error: unknown) => {
      this.source = undefined; // the next request tries again
      throw error;
    });
    const { side } = opened;
    if (asked === undefined) return request.op === 'tables' ? side.tables() : ((await side.position()) ?? null);
    switch (request.op) {
      case 'checksum':
        return side.checksum(...asked);
      case 'keyAt': {
        const key = await side.keyAt(...asked, offset as number);
        return key === undefined ? null : toWire(key);
      }
      default:
        return (await side.rowHashes(...asked)).map((row) => ({ key: toWire(row.key), hash: row.hash }));
    }
  }

  private tableAndRange(args: Record<string, unknown>): [TableSide, KeyRange] {
    const table = args.table as { schema?: unknown; table?: unknown } | undefined;
    if (typeof table?.schema !== 'string' || typeof table.table !== 'string') throw this.refuse('no table');
    // The load node may ask about what this pipeline replicates, nothing else on the source.
    if (this.pipeline.mapping.mapTable(table.schema, table.table) === undefined) throw this.refuse(`table ${table.schema}.${table.table}, which the pipeline does not replicate`);
    if (!strings(args.key) || !strings(args.columns)) throw this.refuse('key and columns that are not lists of names');
    const range = (args.range ?? {}) as { after?: unknown; upTo?: unknown };
    const after = range.after === undefined ? undefined : fromWire(range.after);
    const upTo = range.upTo === undefined ? undefined : fromWire(range.upTo);
    if ((range.after !== undefined && after === undefined) || (range.upTo !== undefined && upTo === undefined)) throw this.refuse('a malformed key range');
    if ((after !== undefined && after.length !== args.key.length) || (upTo !== undefined && upTo.length !== args.key.length)) throw this.refuse('a key range that does not match the key');
    return [
      { table: { schema: table.schema, table: table.table }, key: args.key, columns: args.columns },
      { ...(after === undefined ? {} : { after }), ...(upTo === undefined ? {} : { upTo }) },
    ];
  }

  private refuse(detail: string): FerryError {
    return new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer: 'load node', detail: `a verify request with ${detail}` });
  }
}
