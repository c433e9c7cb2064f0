import { FerryError } from '../errors/index.ts';
import { isSealed, keyIdOf, openWith, parseEnvelope, seal } from './envelope.ts';

/**
 * The keys of a key file, in its order: the first seals, every one opens. Holding an old key
 * after the first is what lets a cluster run through a rotation: envelopes sealed before it
 * still open, new ones are sealed under the new key.
 */
export class Keyring {
  readonly ids: readonly string[];

  constructor(
    private readonly keys: readonly Buffer[],
    /** Where the keys came from, for messages (a path; never the keys). */
    readonly source: string,
  ) {
    if (keys.length === 0) throw new FerryError('FERRY_ERR_SECRET_KEY_FILE', { path: source, detail: 'it holds no key' });
    this.ids = keys.map(keyIdOf);
  }

  /** The id of the key that seals. */
  get sealingKeyId(): string {
    return this.ids[0]!;
  }

  seal(plain: string, context: string): string {
    return seal(plain, this.keys[0]!, context);
  }

  /**
   * The plain text of an envelope. `what` names the secret in errors ("the password of data
   * source 'src'"). Throws FERRY_ERR_SECRET_UNKNOWN_KEY when no key here has the envelope's
   * id, FERRY_ERR_SECRET_UNREADABLE when it is malformed or fails authentication.
   */
  open(value: string, context: string, what: string): string {
    const envelope = parseEnvelope(value);
    if ('problem' in envelope) throw new FerryError('FERRY_ERR_SECRET_UNREADABLE', { what, detail: envelope.problem });
    const index = this.ids.indexOf(envelope.keyId);
    if (index < 0) throw new FerryError('FERRY_ERR_SECRET_UNKNOWN_KEY', { what, keyId: envelope.keyId, path: this.source, held: this.ids.join(', ') });
    const plain = openWith(envelope, this.keys[index]!, context);
    if (plain === undefined) throw new FerryError('FERRY_ERR_SECRET_UNREADABLE', { what, detail: `authentication failed under key ${envelope.keyId}: the stored value was changed or belongs to something else` });
    return plain;
  }

  /** True when `value` is an envelope sealed by the first key (rotation leaves it alone). */
  sealedByCurrentKey(value: string): boolean {
    if (!isSealed(value)) return false;
    const envelope = parseEnvelope(value);
    return !('problem' in envelope) && envelope.keyId === this.sealingKeyId;
  }
}
