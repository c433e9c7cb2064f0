/**
 * A small deterministic pseudo-random generator (xorshift32) giving numbers in [0, 1): test
 * workloads, samples and benchmark loads use it so that a failing or surprising run can be
 * replayed from its seed. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
