/** A deterministic byte source (xorshift), so a failing random case can be replayed from its seed. */
export function randomBytes(seed: number): (length: number) => Buffer {
  let state = seed;
  return (length) => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = state & 0xff;
    }
    return out;
  };
}
