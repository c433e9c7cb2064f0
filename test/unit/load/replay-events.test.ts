import { describe, expect, it } from 'vitest';
import { checksumMatches, endsStatement, eventType, readFormatDescription, renameTableMap, tableMapNames } from '../../../shared/mysql/binlog-events.ts';

import { FORMAT, INSERT_RP_T, MAP_RENAMED, MAP_RP_T } from './replay-fixture.ts';

describe('binlog events for replay', () => {
  const format = readFormatDescription(FORMAT);

  it('reads the Format_description: server version, checksum, post-header lengths', () => {
    expect(format.serverVersion).toBe('10.11.19-MariaDB-0+deb12u1-log');
    expect(format.checksum).toBe(true);
    expect(format.postHeaderLength(19)).toBe(8);
    expect(format.postHeaderLength(23)).toBe(8);
    // The server's own checksums are what zlib's CRC32 computes.
    for (const event of [FORMAT, MAP_RP_T, INSERT_RP_T, MAP_RENAMED]) expect(checksumMatches(event, format)).toBe(true);
  });

  it('tells a statement\'s last row event and the names of a table map', () => {
    expect(endsStatement(INSERT_RP_T, format)).toBe(true);
    expect(endsStatement(MAP_RP_T, format)).toBe(false);
    const middle = Buffer.from(INSERT_RP_T);
    middle.writeUInt16LE(0, 25);
    expect(endsStatement(middle, format)).toBe(false);
    expect(tableMapNames(MAP_RP_T, format)).toEqual({ schema: 'rp', table: 't' });
  });

  it('renames a table map into the bytes the server writes for that name (lengths, event size, CRC32)', () => {
    // Same table id and position as the server's event, so the whole event must match.
    const original = Buffer.from(MAP_RP_T);
    MAP_RENAMED.copy(original, 13, 13, 17);
    MAP_RENAMED.copy(original, 19, 19, 25);
    const renamed = renameTableMap(original, format, 'renamed_schema', 't2');
    expect(renamed.toString('hex')).toBe(MAP_RENAMED.toString('hex'));
    expect(renamed.readUInt32LE(9)).toBe(renamed.length);
    expect(eventType(renamed)).toBe(19);
    expect(tableMapNames(renamed, format)).toEqual({ schema: 'renamed_schema', table: 't2' });
    // And back, shorter than the event it came from.
    const back = renameTableMap(renamed, format, 'rp', 't');
    expect(back.toString('hex')).toBe(original.toString('hex').slice(0, -8) + back.toString('hex').slice(-8));
    expect(checksumMatches(back, format)).toBe(true);
    expect(back.length).toBe(MAP_RP_T.length);
  });

  it('leaves the checksum alone when the binlog has none', () => {
    const plain = { ...format, checksum: false };
    const withoutCrc = MAP_RP_T.subarray(0, MAP_RP_T.length - 4);
    const sized = Buffer.from(withoutCrc);
    sized.writeUInt32LE(sized.length, 9);
    const renamed = renameTableMap(sized, plain, 'ab', 'c');
    expect(renamed.length).toBe(sized.length);
    expect(renamed.readUInt32LE(9)).toBe(renamed.length);
    expect(tableMapNames(renamed, plain)).toEqual({ schema: 'ab', table: 'c' });
    expect(renamed.subarray(renamed.length - 10).equals(sized.subarray(sized.length - 10))).toBe(true);
  });
});
