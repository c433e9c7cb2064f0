import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { LazyRowChange } from '../../../node/select/lazy-row-change.ts';
import { ALL_TYPES, FIXED_ROWS, KEY_TABLES, keyTableSql, keyWorkload, randomAllTypesWorkload, SOURCE_ZONE, transaction } from '../../support/all-types.ts';
import { testDatabase, testSchema } from '../../support/mariadb.ts';
import { readBinlog } from '../../support/binlog-reading.ts';

/**
 * Lazy row images on a real server: a reader that copies events for replay keeps its row
 * images undecoded until read (LazyRowChange), and what it gives when read is exactly what a
 * reader that decodes at once gives, for every type of the all-types table, the key tables,
 * updates and deletes. The images are read after the lazy reader stopped (its zongji has let
 * its connection go by then). Marks of the checkpoint table are read as before.
 */

const MARKS = 'CREATE TABLE checkpoints (pipeline VARCHAR(100) PRIMARY KEY, pos VARCHAR(100))';

async function gtidPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  return String(rows[0]!.pos);
}


describe('lazy row images', () => {
  it('decode on read to exactly the eager images: every all-types row, key tables, updates and deletes, after the reader stopped', async () => {
    const db = await testDatabase();
    const source = db.connection;
    const schema = await testSchema(db, 'lz');
    await source.query(`USE ${schema}; ${[ALL_TYPES, MARKS, ...KEY_TABLES.map(keyTableSql)].join('; ')}`);
    await source.query(`SET time_zone = '${SOURCE_ZONE}', sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'`);
    const from = await gtidPos(source);
    const serverId = 43_000 + Math.floor(Math.random() * 5_000);
    const eager = await readBinlog(db.replicationUrl, from, serverId, { includeSchemas: [schema], markTable: { schema, table: 'checkpoints' }, captureReplay: false });
    const lazy = await readBinlog(db.replicationUrl, from, serverId + 1, { includeSchemas: [schema], markTable: { schema, table: 'checkpoints' }, captureReplay: true });

    const columns = [...new Set(FIXED_ROWS.flatMap((row) => Object.keys(row)))];
    await transaction(source, [
      `INSERT INTO all_types (${columns.join(', ')}) VALUES ${FIXED_ROWS.map((row) => `(${columns.map((c) => row[c as keyof typeof row] ?? 'NULL').join(', ')})`).join(', ')}`,
      "UPDATE all_types SET vc = 'updated 😀', d = d / 3, biu = biu - 1, ts = '2001-02-03 04:05:06.654321', i = i - 1 WHERE id = 1",
      // A mark among the rows: the transaction names the pipeline that applied it.
      "INSERT INTO checkpoints VALUES ('east-to-west', 'x')",
    ]);
    const ids = new Set([0, 1, 2, 3, 4]);
    const nextId = { value: 10 };
    await randomAllTypesWorkload(source, 3, 40, ids, nextId);
    for (const table of KEY_TABLES) await keyWorkload(source, table, 0);
    await source.query('UPDATE all_types SET tx = CONCAT(tx, \'!\'), b13 = b\'1\' WHERE id % 2 = 0');
    await source.query('DELETE FROM all_types WHERE id % 3 = 0');
    const end = await gtidPos(source);
    await Promise.all([eager.until(end), lazy.until(end)]);
    await lazy.reader.stop();

    expect(lazy.received.map((t) => t.gtid)).toEqual(eager.received.map((t) => t.gtid));
    let lazyChanges = 0;
    let allTypesChanges = 0;
    for (const [index, expected] of eager.received.entries()) {
      const actual = lazy.received[index]!;
      expect(actual.appliedBy, `marks of ${expected.gtid}`).toEqual(expected.appliedBy);
      expect(actual.changes.length, `changes of ${expected.gtid}`).toBe(expected.changes.length);
      for (const [c, want] of expected.changes.entries()) {
        const got = actual.changes[c]!;
        expect(want).not.toBeInstanceOf(LazyRowChange);
        if (got instanceof LazyRowChange) lazyChanges++;
        if (got.table === 'all_types') allTypesChanges++;
        const where = `${expected.gtid} change ${c} (${want.kind} ${want.table})`;
        expect({ schema: got.schema, table: got.table, kind: got.kind, columns: got.columns }, where).toStrictEqual({ schema: want.schema, table: want.table, kind: want.kind, columns: want.columns });
        expect(got.before, `${where} before`).toStrictEqual(want.before);
        expect(got.after, `${where} after`).toStrictEqual(want.after);
      }
    }
    // Every change was lazy (no type of these tables is one the skipper leaves to decoding).
    expect(allTypesChanges).toBeGreaterThan(40);
    expect(lazyChanges).toBe(eager.received.reduce((sum, t) => sum + t.changes.length, 0));
    expect(lazy.received.some((t) => t.appliedBy?.includes('east-to-west'))).toBe(true);
  });
});
