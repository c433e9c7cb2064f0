import { FerryError } from '../../shared/errors/index.ts';
import type { BatchCopy, ClearRange, Row } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import { transformChange } from '../transform/transformer.ts';
import type { CopyRange, SelectedBatch } from '../pipeline/batch-channel.ts';
import { fromWire } from '../verify/wire-keys.ts';
import { copyStateText, positionReached, type CopyState } from './copy-state.ts';

/**
 * The load side's view of an online copy: which batches are copy batches, which stream
 * batches still replay the copy's window (rows there may be newer than the events: Load
 * replaces on unique-key collisions), and the state each commits with its checkpoint.
 */
export class CopyWindow {
  private state: CopyState | undefined;

  constructor(private readonly mapping: TableMapping) {}

  /** The copy the checkpoint holds, at the resume (none: outside any copy). */
  resumeWith(state: CopyState | undefined): void {
    this.state = state;
  }

  /** The copy under way, if any (for the progress figures). */
  get current(): CopyState | undefined {
    return this.state;
  }

  /**
   * What Load does with `selected` beyond its rows: undefined for a batch outside any copy.
   * `closes`: the batch ends the copy's chunks; the batches before it must commit before the
   * stream's (whose rows may fall in their key ranges) start.
   */
  treat(selected: SelectedBatch): { copy: BatchCopy; closes: boolean } | undefined {
    const chunk = selected.copy;
    if (chunk !== undefined) {
      this.state = chunk.state ?? undefined;
      const copy: BatchCopy = { state: chunk.state === null ? null : copyStateText(chunk.state), replace: true };
      if (chunk.clear !== undefined) copy.clear = this.clearRange(chunk.clear);
      return { copy, closes: chunk.clear === undefined };
    }
    const until = this.state?.until;
    if (this.state === undefined || until === undefined) return undefined;
    if (positionReached(selected.end, until)) {
      // This batch holds the window's last transactions: they still replace; after it, nothing does.
      this.state = undefined;
      return { copy: { state: null, replace: true }, closes: false };
    }
    return { copy: { state: copyStateText(this.state), replace: true }, closes: false };
  }

  /** The chunk's source key range under its target names and values (Transform, as the rows had). */
  private clearRange(range: CopyRange): ClearRange {
    const mapped = this.mapping.mapTable(range.table.schema, range.table.table);
    if (mapped === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `a copy batch of ${range.table.schema}.${range.table.table}, which no table rule replicates` });
    const key = range.key.map((column) => {
      const name = mapped.columns.mapColumn(column.name);
      if (name === undefined) throw new FerryError('FERRY_ERR_MAPPING_DROPS_KEY', { table: `${mapped.target.schema}.${mapped.target.table}`, key: range.key.map((c) => c.name).join(', '), detail: `the table rule leaves out key column '${column.name}', so the copy cannot tell which target rows it replaced` });
      return name;
    });
    const bound = (values: CopyRange['after']): Row | undefined => {
      if (values === undefined) return undefined;
      const decoded = fromWire(values)!;
      const image: Row = Object.fromEntries(range.key.map((column, index) => [column.name, decoded[index]]));
      return transformChange({ ...range.table, kind: 'delete', before: image, columns: range.key }, mapped).before;
    };
    const after = bound(range.after);
    const upTo = bound(range.upTo);
    return { ...mapped.target, key, ...(after === undefined ? {} : { after }), ...(upTo === undefined ? {} : { upTo }) };
  }
}
