import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { expectIdentical, masters, onEach, pipelineFile, rangeWorkload, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'cascade';

describe('bidirectional pipelines: cascade', () => {
  it("A <-> B plus B -> C delivers A's rows to C through B exactly once, and B's own", async () => {
    const [a, b, c] = await masters(await scratchMariaDbs(3));
    await onEach([a!, b!, c!], S, `${ROWS_TABLE.replace('%s', 'items')}; ${ROWS_TABLE.replace('%s', 'events')}`);
    // On C, every row Ferry writes into events is counted: applied twice, a row counts twice.
    await c!.connection.query(`CREATE DATABASE audit; CREATE TABLE audit.applied (id INT PRIMARY KEY, writes INT NOT NULL);
      CREATE TRIGGER ${S}.count_insert AFTER INSERT ON ${S}.events FOR EACH ROW INSERT INTO audit.applied VALUES (NEW.id, 1) ON DUPLICATE KEY UPDATE writes = writes + 1;
      CREATE TRIGGER ${S}.count_update AFTER UPDATE ON ${S}.events FOR EACH ROW INSERT INTO audit.applied VALUES (NEW.id, 1) ON DUPLICATE KEY UPDATE writes = writes + 1`);
    await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], { bidirectional: { mirror: 'b-to-a', primary: true } }));
    await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' } }));
    await runPipeline(pipelineFile('b-to-c', b!, c!, [`${S}.*`]));

    const inserts = async (): Promise<void> => {
      for (let id = 1; id <= 200; id++) await a!.connection.query(`INSERT INTO ${S}.events (id, origin, qty) VALUES (?, 'a', ?)`, [id, id]);
    };
    await Promise.all([
      inserts(),
      rangeWorkload(await a!.server.connect(), `${S}.items`, { base: 0, transactions: 120, seed: 5, origin: 'a' }),
      rangeWorkload(b!.connection, `${S}.items`, { base: 1000, transactions: 120, seed: 6, origin: 'b' }),
    ]);
    for (const table of ['items', 'events']) await expectIdentical([a!.connection, b!.connection, c!.connection], S, table);
    await waitForQuietBinlogs([a!.connection, b!.connection, c!.connection]);
    for (const table of ['items', 'events']) await expectIdentical([a!.connection, b!.connection, c!.connection], S, table);
    const [applied] = await c!.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS rows_seen, SUM(writes) AS writes FROM audit.applied');
    expect({ rows: Number(applied[0]!.rows_seen), writes: Number(applied[0]!.writes) }).toEqual({ rows: 200, writes: 200 });
  });
});
