import type { Row } from '../../shared/model/change.ts';
import { skipRow, type RowSkipper } from './row-skipper.ts';

/** A parser over one buffer, as zongji's (lib/reader.js) after append(): what readRow reads. */
export interface ImageParser {
  _buffer: Buffer;
  _offset: number;
  parseBuffer(length: number): Buffer;
}

/** Decodes one row image at the parser's offset (row-decoder.ts readRow, with the event's map and zongji). */
export type ImageReader = (parser: ImageParser, present: Buffer) => Row;

/**
 * The row images of one row event, not decoded (docs/replay.md, "Cost"): the event's bytes as
 * copied for replay, where each row image starts, and how to decode one on demand. Rows are
 * found by the row skipper when the event is read; a change's before and after images are
 * decoded the first time something reads them (LazyRowChange), from these bytes, with the
 * same decoder the eager path uses. The bytes are a copy of the event alone: no packet
 * buffer of the connection stays referenced.
 */
export class LazyImages {
  constructor(
    /** The whole event (header, body, checksum): offsets below are into it. */
    readonly raw: Buffer,
    /** The event's table map's skipper: where each image ends. */
    readonly skipper: RowSkipper,
    /** Columns-present bitmaps of the before (or only) image and of an update's after image, views of `raw`. */
    private readonly present: Buffer,
    private readonly present2: Buffer | undefined,
    private readonly parser: ImageParser,
    private readonly read: ImageReader,
  ) {}

  /** The image at `at` (the only image of an insert or delete, an update's before image). */
  first(at: number): Row {
    this.parser._offset = at;
    return this.read(this.parser, this.present);
  }

  /** An update's after image: it starts where the before image at `at` ends. */
  second(at: number): Row {
    const end = skipRow(this.skipper, this.raw, at, this.present, this.raw.length);
    if (end === undefined || this.present2 === undefined) throw new Error(`row image at ${at} no longer skips: the event bytes changed`);
    this.parser._offset = end;
    return this.read(this.parser, this.present2);
  }
}
