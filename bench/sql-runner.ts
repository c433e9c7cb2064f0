import type { Connection, ResultSetHeader } from 'mysql2/promise';

/**
 * Runs SQL texts over several connections at once, each taking the next text from a shared
 * queue, and returns the rows they affected. Each text runs in autocommit, so a text is one
 * transaction (or, with multipleStatements, one transaction per statement): spreading them
 * over connections writes a backlog faster without changing its transaction shapes.
 */
export async function runSpread(connections: Connection[], texts: string[]): Promise<number> {
  let next = 0;
  let affected = 0;
  await Promise.all(
    connections.map(async (connection) => {
      while (next < texts.length) {
        const text = texts[next++]!;
        const [result] = await connection.query(text);
        affected += affectedRows(result);
      }
    }),
  );
  return affected;
}

function affectedRows(result: unknown): number {
  if (Array.isArray(result)) return result.reduce((sum: number, part: unknown) => sum + affectedRows(part), 0);
  return (result as ResultSetHeader).affectedRows ?? 0;
}

/** Numbers [from, to) in steps of `step`: the starts of fixed-size chunks. */
export function chunkStarts(from: number, to: number, step: number): number[] {
  const starts: number[] = [];
  for (let start = from; start < to; start += step) starts.push(start);
  return starts;
}
