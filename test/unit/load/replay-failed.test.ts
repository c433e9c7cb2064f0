import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../shared/errors/index.ts';
import { createLogger } from '../../../shared/logging.ts';
import { ReplayRunState, planReplay, replayFailed, replayRunStateOf, type ReplaySettings } from '../../../node/load/replay-plan.ts';
import type { TargetTables } from '../../../node/load/target-tables.ts';
import type { Batch } from '../../../shared/model/change.ts';
import { FORMAT, INSERT_RP_T, MAP_RP_T } from './replay-fixture.ts';

function settings(mode: ReplaySettings['mode']): { settings: ReplaySettings; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { written.push(chunk.toString()); done(); } });
  const log = createLogger({ level: 'info', destination });
  return { settings: { mode, maxAllowedPacket: 1 << 24, state: new ReplayRunState(), log }, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const driverError = (errno: number, sqlMessage: string) => Object.assign(new Error(sqlMessage), { errno, sqlMessage });
const work = (tables: string[]) => ({ statements: [], tables });

describe('replayFailed: what a refused BINLOG statement does to the run', () => {
  it('a data error: counted, warned once per table, the tables stay replayable', () => {
    const { settings: s, lines } = settings('require');
    replayFailed(driverError(1062, "Duplicate entry '1' for key 'PRIMARY'"), work(['s.a']), s);
    replayFailed(driverError(1032, "Can't find record in 'a'"), work(['s.a']), s);
    replayFailed(driverError(1032, "Can't find record in 'b'"), work(['s.a', 's.b']), s);
    expect(s.state.fallbacks).toBe(3);
    expect(s.state.off).toBeUndefined();
    expect(s.state.refused.size).toBe(0);
    expect(lines().map((line) => [line.msg, line.errno, line.tables])).toEqual([['replay fell back to SQL', 1062, ['s.a']], ['replay fell back to SQL', 1032, ['s.b']]]);
  });

  it('a type conversion (1677, or 1105 as MariaDB reports it from BINLOG): the tables keep SQL for the run', () => {
    const { settings: s } = settings('auto');
    replayFailed(driverError(1105, 'Unknown error'), work(['s.a', 's.b']), s);
    expect([...s.state.refused.keys()]).toEqual(['s.a', 's.b']);
  });

  it('a privilege error: replay off for the run (auto), or FERRY_ERR_REPLAY_REFUSED (require)', () => {
    const auto = settings('auto');
    replayFailed(driverError(1227, 'Access denied; you need (at least one of) the SUPER, BINLOG REPLAY privilege(s)'), work(['s.a']), auto.settings);
    expect(auto.settings.state.off).toMatch(/BINLOG REPLAY/);
    expect(auto.settings.state.fallbacks).toBe(0);
    expect(auto.lines()).toHaveLength(1);
    const require = settings('require');
    let thrown: unknown;
    try {
      replayFailed(driverError(1227, 'Access denied'), work(['s.a']), require.settings);
    } catch (error) {
      thrown = error;
    }
    expect(isFerryError(thrown, 'FERRY_ERR_REPLAY_REFUSED')).toBe(true);
  });

  it('keeps one state per pipeline run, across its attempts', () => {
    const pipeline = {};
    expect(replayRunStateOf(pipeline)).toBe(replayRunStateOf(pipeline));
    expect(replayRunStateOf({})).not.toBe(replayRunStateOf(pipeline));
  });
});

describe('planReplay: the source\'s flavour', () => {
  // The captured Format_description with MySQL's version text in place of MariaDB's.
  const mysqlFormat = Buffer.from(FORMAT);
  mysqlFormat.fill(0, 21, 71);
  mysqlFormat.write('8.0.36-log', 21, 'latin1');
  const batch = (format: Buffer): Batch => ({
    end: { file: 'f', pos: 4 }, changes: [], transactions: 1, sourceTimestamp: 0, openedAt: 0,
    replay: { format, events: [MAP_RP_T, INSERT_RP_T] }, replayTables: [],
  });
  const tables = {} as TargetTables;

  it('replays MariaDB row events only: another source goes by SQL, or stops with FERRY_ERR_REPLAY_REFUSED (require)', async () => {
    expect(await planReplay(batch(mysqlFormat), settings('auto').settings, tables, 'mariadb', false)).toBeUndefined();
    await expect(planReplay(batch(mysqlFormat), settings('require').settings, tables, 'mariadb', false)).rejects.toMatchObject({ code: 'FERRY_ERR_REPLAY_REFUSED' });
    expect(await planReplay(batch(FORMAT), settings('require').settings, tables, 'mariadb', false)).toMatchObject({ tables: [] });
    expect(await planReplay(batch(FORMAT), settings('require').settings, tables, 'mysql', false)).toBeUndefined();
  });
});
