import type { ChangeKind, ColumnInfo, Row, RowChange } from '../../shared/model/change.ts';
import type { LazyImages } from './lazy-images.ts';

const NOT_READ = Symbol('not read');

/**
 * A row change whose images are decoded on first read (docs/replay.md, "Cost"): a replayed
 * batch never reads them, and decoding them was most of Select's CPU. `before` and `after`
 * are accessors on the prototype, each decoded once and then cached, with exactly the values
 * the eager path gives; assigning one replaces it, as on a plain change.
 *
 * What does not see prototype accessors: object spread and Object.keys (own properties), and
 * structured clone (a worker or a process boundary). Nothing does either with a change of a
 * one-process pipeline (node/pipeline/in-process-channel.ts hands batches over by reference);
 * a split pipeline's select side reads eagerly (its pipe encodes rows). toJSON gives both
 * images, for JSON.stringify.
 */
export class LazyRowChange implements RowChange {
  #before: Row | undefined | typeof NOT_READ = NOT_READ;
  #after: Row | undefined | typeof NOT_READ = NOT_READ;
  // Private fields: a spread or a test's toEqual sees the same own properties as on a plain change, less the images.
  readonly #images: LazyImages;
  /** Offset of the row's (first) image in the event's bytes. */
  readonly #at: number;

  constructor(
    readonly schema: string,
    readonly table: string,
    readonly kind: ChangeKind,
    readonly columns: ColumnInfo[],
    images: LazyImages,
    at: number,
  ) {
    this.#images = images;
    this.#at = at;
  }

  get before(): Row | undefined {
    if (this.#before === NOT_READ) this.#before = this.kind === 'insert' ? undefined : this.#images.first(this.#at);
    return this.#before;
  }

  set before(row: Row | undefined) {
    this.#before = row;
  }

  get after(): Row | undefined {
    if (this.#after === NOT_READ) this.#after = this.kind === 'delete' ? undefined : this.kind === 'insert' ? this.#images.first(this.#at) : this.#images.second(this.#at);
    return this.#after;
  }

  set after(row: Row | undefined) {
    this.#after = row;
  }

  toJSON(): RowChange {
    return { schema: this.schema, table: this.table, kind: this.kind, columns: this.columns, before: this.before, after: this.after };
  }
}
