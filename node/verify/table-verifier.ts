import { keyText, type KeyRange, type KeyValues, type TableSide } from './row-sql.ts';
import { tableText, type TablePair } from './table-pair.ts';
import type { RowHash, SourceVerifySide, VerifySide } from './verify-side.ts';

/** What verify found in one table: keys (in key order) of rows missing on the target, extra there, or different. */
export interface TableDifferences {
  table: string;
  target: string;
  /** Rows of the source table, as counted chunk by chunk. */
  rows: number;
  missing: KeyValues[];
  extra: KeyValues[];
  different: KeyValues[];
}

/**
 * Re-checks for a table that a running pipeline writes: rows found differing are read again,
 * on the target only once the pipeline's checkpoint has passed the source position read just
 * before the source's rows were, so rows still in flight are not reported.
 */
export interface Recheck {
  /** Resolves once the target's checkpoint has passed `position` (a source GTID position), or its wait gave up. */
  caughtUp(position: string): Promise<void>;
  /** Reads again before a row is reported: it is reported only when it differed every time. @default 5 */
  attempts?: number;
}

export interface VerifyOptions {
  /** Rows per chunk checksummed on both servers. @default 10000 */
  chunkRows?: number;
  /** A differing range this small is compared row by row (keys and hashes). @default 64 */
  leafRows?: number;
  /** For a table a pipeline writes meanwhile. @default none: what differs once is reported (a quiet table) */
  recheck?: Recheck;
}

/**
 * Per-chunk costs (a bound query, a round trip to each server) matter below a few thousand
 * rows: 1M narrow rows took 2.08 s at 1,000, 1.35 s at 10,000, 1.26 s at 100,000. A differing
 * chunk costs only a few more halvings, so 10,000.
 */
export const DEFAULT_CHUNK_ROWS = 10_000;
const DEFAULT_LEAF_ROWS = 64;
const DEFAULT_RECHECKS = 5;

type Kind = 'missing' | 'extra' | 'different';

/** Rows of a leaf that differ, by key text: which kind, and the key as the side that has it gives it. */
function differing(sourceRows: readonly RowHash[], targetRows: readonly RowHash[]): Map<string, { kind: Kind; key: KeyValues }> {
  const found = new Map<string, { kind: Kind; key: KeyValues }>();
  const onTarget = new Map(targetRows.map((row) => [keyText(row.key), row]));
  for (const row of sourceRows) {
    const text = keyText(row.key);
    const other = onTarget.get(text);
    if (other === undefined) found.set(text, { kind: 'missing', key: row.key });
    else if (other.hash !== row.hash) found.set(text, { kind: 'different', key: row.key });
    onTarget.delete(text);
  }
  for (const [text, row] of onTarget) found.set(text, { kind: 'extra', key: row.key });
  return found;
}

/**
 * Compares one table on two servers without shipping its rows: chunks of `chunkRows` keys
 * (bounds read from the source in key order, the last chunk open-ended, so rows only the
 * target has fall into some chunk) are counted and checksummed on each server; a chunk that
 * differs is cut in two at its middle key until it is small enough to compare row by row by
 * key and hash. Reads are not one snapshot: without `recheck`, a table written meanwhile
 * shows those writes as differences; with it, differing rows are read again after the
 * pipeline has caught up, and reported only when they differed every time.
 */
export class TableVerifier {
  private readonly source: TableSide;
  private readonly target: TableSide;
  private readonly chunkRows: number;
  private readonly leafRows: number;

  constructor(private readonly pair: TablePair, private readonly sides: { source: SourceVerifySide | VerifySide; target: VerifySide }, private readonly options: VerifyOptions = {}) {
    this.source = { table: pair.source, key: pair.key.source, columns: pair.columns.source };
    this.target = { table: pair.target, key: pair.key.target, columns: pair.columns.target };
    this.chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    this.leafRows = options.leafRows ?? DEFAULT_LEAF_ROWS;
  }

  async run(): Promise<TableDifferences> {
    const found: TableDifferences = { table: tableText(this.pair.source), target: tableText(this.pair.target), rows: 0, missing: [], extra: [], different: [] };
    let after: KeyValues | undefined;
    for (;;) {
      const upTo = await this.sides.source.keyAt(this.source, after === undefined ? {} : { after }, this.chunkRows - 1);
      const range: KeyRange = { ...(after === undefined ? {} : { after }), ...(upTo === undefined ? {} : { upTo }) };
      found.rows += await this.compare(range, found);
      if (upTo === undefined) return found;
      after = upTo;
    }
  }

  /** Compares a range; returns its source rows. */
  private async compare(range: KeyRange, found: TableDifferences): Promise<number> {
    const [source, target] = await Promise.all([this.sides.source.checksum(this.source, range), this.sides.target.checksum(this.target, range)]);
    if (source.n === target.n && source.x === target.x) return source.n;
    const larger = source.n >= target.n ? 'source' : 'target';
    const size = Math.max(source.n, target.n);
    const middle = size > this.leafRows ? await this.sides[larger].keyAt(this[larger], range, Math.floor(size / 2) - 1) : undefined;
    if (middle === undefined) {
      await this.compareRows(range, found);
      return source.n;
    }
    await this.compare({ ...(range.after === undefined ? {} : { after: range.after }), upTo: middle }, found);
    await this.compare({ after: middle, ...(range.upTo === undefined ? {} : { upTo: range.upTo }) }, found);
    return source.n;
  }

  private async compareRows(range: KeyRange, found: TableDifferences): Promise<void> {
    let rows = await this.readLeaf(range, false);
    const recheck = this.options.recheck;
    const source = this.sides.source;
    if (recheck !== undefined && 'position' in source) {
      // Only rows that differ every time are reported: a row in flight differs once, then the
      // target has it (a row written again and again may differ each time and be reported).
      for (let attempt = 0; attempt < (recheck.attempts ?? DEFAULT_RECHECKS) && rows.size > 0; attempt += 1) {
        const again = await this.readLeaf(range, true);
        rows = new Map([...again].filter(([text]) => rows.has(text)));
      }
    }
    for (const { kind, key } of rows.values()) found[kind].push(key);
  }

  /**
   * A leaf's differing rows. `afterCatchUp`: the target is read once the pipeline has passed the
   * source position read before the source's rows, and the source read again after it; a row
   * counts only when the target's differs from both source reads (one that changed while the
   * target was read is in flight, not different).
   */
  private async readLeaf(range: KeyRange, afterCatchUp: boolean): Promise<Map<string, { kind: Kind; key: KeyValues }>> {
    const source = this.sides.source;
    if (!afterCatchUp || !('position' in source) || this.options.recheck === undefined) {
      const [sourceRows, targetRows] = await Promise.all([source.rowHashes(this.source, range), this.sides.target.rowHashes(this.target, range)]);
      return differing(sourceRows, targetRows);
    }
    const position = await source.position();
    const before = await source.rowHashes(this.source, range);
    if (position !== undefined) await this.options.recheck.caughtUp(position);
    // Target and source read together: the two reads as close in time as they can be.
    const [targetRows, sourceAfter] = await Promise.all([this.sides.target.rowHashes(this.target, range), source.rowHashes(this.source, range)]);
    const after = differing(sourceAfter, targetRows);
    const againstBefore = differing(before, targetRows);
    return new Map([...after].filter(([text]) => againstBefore.has(text)));
  }
}
