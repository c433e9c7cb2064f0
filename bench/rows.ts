/**
 * Deterministic row values as SQL literal tuples: the same id gives the same row in every
 * run, so results are comparable between runs and CHECKSUM TABLE can compare servers.
 */

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A `bench.narrow` row (columns as in NARROW_COLUMNS), about 100 bytes. */
export function narrowRow(id: number): string {
  return `(${id},'row-${id}-${'x'.repeat(20)}',${id % 1000},'2026-11-23 10:00:00.${pad(id % 1_000_000, 6)}',${id % 10000}.25)`;
}

/** The values of narrowRow(id), as parameters of a prepared statement (DECIMAL and DATETIME as exact text). */
export function narrowValues(id: number): [number, string, number, string, string] {
  return [id, `row-${id}-${'x'.repeat(20)}`, id % 1000, `2026-11-23 10:00:00.${pad(id % 1_000_000, 6)}`, `${id % 10000}.25`];
}

const STATUSES = ['new', 'paid', 'shipped', 'cancelled'];
const NOTE = 'lorem ipsum dolor '.repeat(10);

/** 48 bytes that include 0x00 and 0xff, as a hex literal. */
function payload(id: number): string {
  const bytes = Array.from({ length: 48 }, (_, i) => ((id * 31 + i * 97) % 256).toString(16).padStart(2, '0'));
  return `X'${bytes.join('')}'`;
}

/**
 * A `bench.wide` row (columns as in WIDE_COLUMNS), about 600 bytes. Values reach the edges
 * Ferry must keep exact: BIGINTs beyond 2^53, BIGINT UNSIGNED beyond 2^63, negative and NULL
 * DECIMALs, doubles without a short decimal form, microseconds, multibyte text, binary.
 */
export function wideRow(id: number): string {
  const big = (BigInt(id) * 1_000_000_007n + 9_007_199_254_740_993n) * (id % 2 === 0 ? 1n : -1n);
  const ubig = 18_446_744_073_709_551_615n - BigInt(id);
  const dec1 = `${id % 2 === 0 ? '' : '-'}${id}.${pad(id % 10000, 4)}`;
  const dec2 = id % 10 === 0 ? 'NULL' : `${id % 100000}.${pad(id % 100, 2)}`;
  const label = id % 5 === 0 ? 'NULL' : `'label ${id} é€😀'`;
  const created = `'2026-11-23 ${pad(id % 24, 2)}:${pad(id % 60, 2)}:${pad((id * 7) % 60, 2)}.${pad((id * 7919) % 1_000_000, 6)}'`;
  const day = `'20${pad(10 + (id % 20), 2)}-${pad(1 + (id % 12), 2)}-${pad(1 + (id % 28), 2)}'`;
  const doc = `'{"id":${id},"tags":["a","b"],"ratio":${id / 8},"nested":{"k":"v${id}"}}'`;
  const score = id % 7 === 0 ? 'NULL' : String(id % 1000);
  return `(${[
    id,
    ((id * 7919) % 2_000_000_000) - 1_000_000_000,
    (id % 65536) - 32768,
    id % 256,
    big,
    ubig,
    dec1,
    dec2,
    id / 7,
    `'wide-${id}'`,
    label,
    `'note ${id} ${NOTE}'`,
    created,
    'NULL',
    day,
    doc,
    `'${STATUSES[id % 4]}'`,
    payload(id),
    id % 2,
    score,
  ].join(',')})`;
}
