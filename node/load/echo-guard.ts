import { createHash } from 'node:crypto';
import type { Row } from '../../shared/model/change.ts';
import { wireRow } from './conflict-store.ts';

/** How many keys the guard remembers: about 60 bytes each. */
export const ECHO_GUARD_KEYS = 200_000;

/**
 * What the primary's direction last wrote (or found already written) per key on its target, as
 * a digest of the image (docs/bidirectional.md, 3, "Echoes"). An echo is applied only where the
 * target holds its expected image *because this direction put it there*: then the target is at
 * the point of the primary's history the echo follows. A target that holds that image by an
 * ABA of its own application (an insert, then a delete) is ahead of the echo, which would bring
 * back a row its application already changed. In memory only, the oldest keys forgotten past
 * `limit`: a key forgotten (or a restart) skips its echoes, as if there were none. Recorded in
 * the batch's transaction, before its commit: a batch rolled back may leave a digest its retry
 * then rewrites.
 */
export class EchoGuard {
  private readonly images = new Map<string, string>();

  constructor(private readonly limit = ECHO_GUARD_KEYS) {}

  /** The target holds `image` (null: no row) under `key` by this direction's write. */
  wrote(key: string, image: Row | null): void {
    this.images.delete(key);
    this.images.set(key, digest(image));
    if (this.images.size > this.limit) this.images.delete(this.images.keys().next().value!);
  }

  /** The target's row under `key` is no longer known to be this direction's. */
  forget(key: string): void {
    this.images.delete(key);
  }

  /** Whether this direction's last write of `key` was `image`. */
  wroteLast(key: string, image: Row | null): boolean {
    return this.images.get(key) === digest(image);
  }
}

function digest(image: Row | null): string {
  return image === null ? '-' : createHash('sha1').update(JSON.stringify(wireRow(image))).digest('base64');
}
