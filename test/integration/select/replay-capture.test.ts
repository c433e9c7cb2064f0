import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { ALL_TYPES, FIXED_ROWS, KEY_TABLES, keyTableSql, keyWorkload, randomAllTypesWorkload, SOURCE_ZONE, transaction } from '../../support/all-types.ts';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';
import { readBinlog } from '../../support/binlog-reading.ts';

/**
 * What Select captures for replay (SourceTransaction.replay), proven on real servers: a
 * BinlogReader reads a source's binlog, and the captured Format_description and table-map and
 * row events, replayed with `BINLOG '<base64>'` into empty copies of the tables on another
 * server, give the source's tables (CHECKSUM TABLE, and every row as HEX). The SQL that a
 * transaction without replay stands for is run by the test itself, in its place in the order.
 */

const NARROW = 'CREATE TABLE narrow (id INT PRIMARY KEY, v VARCHAR(40), n INT)';
const SECOND = 'CREATE TABLE second (id INT PRIMARY KEY, w VARCHAR(40), d DATETIME(6))';
const BLOBS = 'CREATE TABLE blobs (id INT PRIMARY KEY, note VARCHAR(20), b LONGBLOB)';
/** Rows of this table are not replicated: a transaction touching it keeps no replay. */
const NOT_REPLICATED = 'CREATE TABLE not_replicated (id INT PRIMARY KEY)';
const FOUR_MB = 4 * 1024 * 1024;


async function gtidPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  return String(rows[0]!.pos);
}

describe('replay capture on real servers', () => {
  it('replays every captured transaction with BINLOG into an empty copy of the tables and gives the source tables, across a rotate', async () => {
    const [sourceServer, targetServer] = await scratchMariaDbs(2);
    const admin = await targetServer!.connect();
    // A row event of the 4 MB BLOB updated holds both images: its BINLOG statement is ~11 MB of base64.
    await admin.query('SET GLOBAL max_allowed_packet = 64 * 1024 * 1024');
    const target = await targetServer!.connect();
    const source = await sourceServer!.connect();
    const schema = 'rp';
    const tables = [NARROW, SECOND, BLOBS, NOT_REPLICATED, ALL_TYPES, ...KEY_TABLES.map(keyTableSql)];
    for (const connection of [source, target]) {
      await connection.query(`CREATE DATABASE ${schema}; USE ${schema}; ${tables.join('; ')}`);
    }
    await source.query('CREATE DATABASE other; CREATE TABLE other.u (id INT PRIMARY KEY, m INT); INSERT INTO other.u VALUES (1, 0), (2, 0), (3, 0)');
    await source.query(`USE ${schema}; SET time_zone = '${SOURCE_ZONE}', sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'`);
    // zongji's filter leaves the other schema's table maps and rows out, unannounced.
    const reading = await readBinlog(sourceServer!.replicationUrl, await gtidPos(source), 41_017, { includeSchemas: [schema], replicates: (s, table) => s === schema && table !== 'not_replicated' });

    /** Transactions without replay, by GTID: the SQL the target runs in their place. */
    const bySql = new Map<string, string>();
    const last = () => gtidPos(source);

    // Inserts, updates, deletes, each its own transaction; then one over two tables.
    await source.query(`INSERT INTO narrow VALUES ${Array.from({ length: 300 }, (_, i) => `(${i}, 'row ${i}', ${i * 7})`).join(', ')}`);
    await source.query('UPDATE narrow SET n = n + 1, v = CONCAT(v, \'!\') WHERE id < 150');
    await source.query('DELETE FROM narrow WHERE id % 3 = 0');
    await transaction(source, [
      'INSERT INTO second VALUES (1, \'one\', \'2024-02-29 12:00:00.123456\'), (2, \'two\', NULL)',
      'UPDATE narrow SET v = \'multi\' WHERE id = 1',
      'DELETE FROM second WHERE id = 2',
      'INSERT INTO narrow VALUES (1000, \'in multi\', NULL)',
    ]);
    // A transaction with rows of a table the pipeline does not replicate.
    const mixed = 'INSERT INTO narrow VALUES (2000, \'mixed\', 1)';
    await transaction(source, [mixed, 'INSERT INTO not_replicated VALUES (1)']);
    bySql.set(await last(), mixed);
    // A transaction whose other statement is of a schema zongji filters out: replayable, its rows are not ours.
    await transaction(source, ['UPDATE narrow SET n = -1 WHERE id = 2', 'UPDATE other.u SET m = m + 1']);
    // One statement over both schemas: narrow is updated on the fly, other.u after the scan, so
    // the statement's last row event (STMT_END) is of the filtered schema and never arrives.
    const joined = 'UPDATE narrow SET n = n + 100 WHERE id IN (1, 2)';
    await source.query('UPDATE narrow STRAIGHT_JOIN other.u ON other.u.id = narrow.id SET narrow.n = narrow.n + 100, other.u.m = other.u.m + 1 WHERE narrow.id IN (1, 2)');
    bySql.set(await last(), joined);

    // Every type: the hand-picked rows, changes to them, random traffic, and the key tables.
    const columns = [...new Set(FIXED_ROWS.flatMap((row) => Object.keys(row)))];
    await transaction(source, [
      `INSERT INTO all_types (${columns.join(', ')}) VALUES ${FIXED_ROWS.map((row) => `(${columns.map((c) => row[c as keyof typeof row] ?? 'NULL').join(', ')})`).join(', ')}`,
      "UPDATE all_types SET vc = 'updated 😀', d = d / 3, biu = biu - 1, ts = '2001-02-03 04:05:06.654321', i = i - 1 WHERE id = 1",
    ]);
    const ids = new Set([0, 1, 2, 3, 4]);
    const nextId = { value: 10 };
    await randomAllTypesWorkload(source, 1, 30, ids, nextId);
    for (const table of KEY_TABLES) await keyWorkload(source, table, 0);

    // A new binlog file in the middle: its transactions come with its own format event.
    await source.query('FLUSH BINARY LOGS');
    await randomAllTypesWorkload(source, 2, 30, ids, nextId);
    for (const table of KEY_TABLES) await keyWorkload(source, table, 1);
    await source.query('UPDATE narrow SET v = \'after rotate\' WHERE id < 20');

    // A 4 MB BLOB: inserted, then updated (both images in one event), and a second row deleted.
    await source.query(`INSERT INTO blobs VALUES (1, 'big', REPEAT(UNHEX(SHA2('blob', 256)), ${FOUR_MB / 32})), (2, 'small', X'00ff')`);
    await transaction(source, ['UPDATE blobs SET note = \'big, updated\' WHERE id = 1', 'DELETE FROM blobs WHERE id = 2']);
    const end = await last();
    await reading.until(end);

    const received = reading.received;
    // The rotate came in the middle: two format events, each used. Counted as events (each is a
    // copy of its own), not by content: a file created in the same second as the first one has
    // a byte-identical Format_description.
    const formats = new Set(received.flatMap((t) => (t.replay ? [t.replay.format] : [])));
    expect(formats.size).toBe(2);
    for (const t of received) {
      if (t.changes.length === 0) continue;
      expect(t.replay === undefined, `replay of ${t.gtid ?? '?'}`).toBe(bySql.has(t.gtid!));
    }
    const blob = received.find((t) => t.changes.some((c) => c.table === 'blobs' && c.kind === 'insert'));
    expect(blob?.replay?.events.reduce((sum, event) => sum + event.length, 0)).toBeGreaterThan(FOUR_MB);

    // Replay: a few transactions per BINLOG statement, each statement led by its format event.
    let group: SourceTransaction[] = [];
    const flush = async (): Promise<void> => {
      if (group.length === 0) return;
      const bytes = Buffer.concat([group[0]!.replay!.format, ...group.flatMap((t) => t.replay!.events)]);
      await target.query('BEGIN');
      await target.query(`BINLOG '${bytes.toString('base64')}'`);
      await target.query('COMMIT');
      group = [];
    };
    await target.query(`USE ${schema}`);
    for (const t of received) {
      if (t.changes.length === 0) continue;
      if (t.replay === undefined) {
        await flush();
        await target.query(bySql.get(t.gtid!)!);
        continue;
      }
      if (group.length > 0 && (group.length >= 4 || group[0]!.replay!.format !== t.replay.format)) await flush();
      group.push(t);
    }
    await flush();

    // TIMESTAMPs print in the session's zone: the same on both sides.
    await target.query(`SET time_zone = '${SOURCE_ZONE}'`);
    for (const table of ['narrow', 'second', 'blobs', 'all_types', ...KEY_TABLES.map((t) => t.name)]) {
      expect(await checksum(target, schema, table), table).toBe(await checksum(source, schema, table));
      if (table !== 'blobs') expect(await dumpTable(target, schema, table), table).toEqual(await dumpTable(source, schema, table));
    }
  });
});
