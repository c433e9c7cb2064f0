import { FerryError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { asText, queryRows, tableName, type SqlClient } from './sql.ts';
import { chooseTableKey, identifyingKeys, readIndexes, type IndexInfo, type TableKey } from './table-key.ts';

/** A replicated table as its rule maps it. */
export interface MappedTableRef {
  source: TableRef;
  target: TableRef;
  /** Target name of a source column, undefined when the rule leaves it out. */
  mapColumn(name: string): string | undefined;
}

const ER_NO_SUCH_TABLE = 1146;

/**
 * Refuses a mapping under which the loader could not identify target rows: Load merges,
 * updates and deletes by the target's key (chooseTableKey), or when the rule leaves out a
 * column of it, by the first other NOT NULL unique key the rows hold (identifyingKeys), so
 * - every column of one such key must get a value from a source column (FERRY_ERR_MAPPING_DROPS_KEY):
 *   otherwise every row has a NULL key, all of a batch's changes fold into one and deletes
 *   match nothing;
 * - the key must hold a source key (FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE): otherwise two source
 *   rows can share one target key, and the later silently overwrites the earlier.
 *   A key column must also tell apart every two values the source column does: text under
 *   the same collation or a binary one (under a coarser one 'a' = 'A', 'ss' = 'ß'), DECIMAL
 *   and temporal values with as many fractional digits (the server rounds without an error);
 * - no two source tables may map to one target table (FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE): the
 *   same key in both (shards of one table, each counting from 1) would be one target row.
 * Not a skippable precheck: skipping it can only lose rows in silence. A target table that
 * does not exist yet, or one without a key, is left to the loader, which reports it. Tables
 * that appear later (CREATE TABLE under ddl: apply) are not checked here.
 */
export async function checkMappedKeys(source: SqlClient, target: SqlClient, tables: readonly MappedTableRef[]): Promise<void> {
  await checkMappedKeysWith((ref) => readSourceKeyFacts(source, ref), target, tables);
}

/**
 * What the comparison needs of a source table, read on the source: a split pipeline's select
 * side sends it across the pipe, the load side compares it with the target (checkMappedKeysWith).
 */
export interface SourceKeyFacts {
  /** Column names in table order; none when the source user sees none (no SELECT on the table). */
  columns: string[];
  /** The table's unique indexes: the only ones the comparison reads. */
  uniqueIndexes: IndexInfo[];
  /** Types of the columns of those indexes. */
  keyTypes: Array<{ column: string } & ColumnType>;
}

/** A source table's SourceKeyFacts; throws when the table does not exist. */
export async function readSourceKeyFacts(source: SqlClient, ref: TableRef): Promise<SourceKeyFacts> {
  const columns = await columnTypes(source, ref);
  if (columns.size === 0) return { columns: [], uniqueIndexes: [], keyTypes: [] };
  const uniqueIndexes = (await readIndexes(source, ref)).filter((index) => index.unique);
  const keyColumns = new Set(uniqueIndexes.flatMap((index) => index.columns.map((c) => c.name?.toLowerCase())));
  const keyTypes = [...columns].filter(([column]) => keyColumns.has(column.toLowerCase())).map(([column, type]) => ({ column, ...type }));
  return { columns: [...columns.keys()], uniqueIndexes, keyTypes };
}

/** checkMappedKeys with the source's side given as facts (read here or on another node). */
export async function checkMappedKeysWith(sourceFacts: (ref: TableRef) => Promise<SourceKeyFacts>, target: SqlClient, tables: readonly MappedTableRef[]): Promise<void> {
  const shared = sharedTarget(tables);
  if (shared !== undefined) {
    const indexes = await readIndexes(target, shared[0]!.target).catch(() => []);
    const key = chooseTableKey(indexes);
    throw new FerryError('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE', {
      table: tableName(shared[0]!.target),
      key: key === null ? 'its key' : `${key.name} (${key.columns.join(', ')})`,
      detail: `the table rules send ${shared.map((t) => tableName(t.source)).join(' and ')} into it, and a key in more than one of them would be one target row`,
    });
  }
  for (const table of tables) {
    let targetIndexes: IndexInfo[];
    try {
      targetIndexes = await readIndexes(target, table.target);
    } catch (error) {
      if ((error as { errno?: unknown }).errno === ER_NO_SUCH_TABLE) continue;
      throw error;
    }
    const facts = await sourceFacts(table.source);
    // A source user without SELECT on the table sees no columns (the privileges precheck says
    // so unless skipped): nothing to judge here; Load still stops on rows without their key.
    if (facts.columns.length === 0) continue;
    const types = { source: new Map(facts.keyTypes.map(({ column, collation, type }) => [column, { collation, type }])), target: await columnTypes(target, table.target) };
    const problem = mappedKeyProblem(table, facts.columns, facts.uniqueIndexes, targetIndexes, types);
    if (problem) throw problem;
  }
}

/** What decides which values of a column are equal. */
export interface ColumnType {
  /** COLLATION_NAME; null for a column that is not text. */
  collation: string | null;
  /** COLUMN_TYPE, as 'decimal(10,2)' or 'datetime(6)'. */
  type: string;
}

/** Column name -> type, in table order. */
async function columnTypes(client: SqlClient, ref: TableRef): Promise<Map<string, ColumnType>> {
  const rows = await queryRows(
    client,
    'SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [ref.schema, ref.table],
  );
  return new Map(rows.map((row) => [String(row.name), { collation: asText(row.collation), type: (asText(row.type) ?? '').toLowerCase() }]));
}

/** Column types of both tables (names as each table spells them), when known. */
export interface KeyColumnTypes {
  source: ReadonlyMap<string, ColumnType>;
  target: ReadonlyMap<string, ColumnType>;
}

/**
 * Why a target column would make equal two values the source column tells apart, or
 * undefined when it does not: a coarser collation, or fewer fractional digits (the server
 * rounds DECIMAL and temporal values into a narrower column without an error).
 */
function coarsening(source: ColumnType | undefined, target: ColumnType | undefined): string | undefined {
  if (source === undefined || target === undefined) return undefined;
  if (!collationKeepsApart(source.collation, target.collation)) return `${String(source.collation)} on the source, ${String(target.collation)} on the target`;
  const from = fractionDigits(source.type);
  const to = fractionDigits(target.type);
  if (from !== undefined && to !== undefined && from.family === to.family && to.digits < from.digits) return `${source.type} on the source, ${target.type} on the target`;
  return undefined;
}

function collationKeepsApart(source: string | null, target: string | null): boolean {
  if (source === target || target === null || source === null) return true;
  if (target === 'binary' || target.endsWith('_nopad_bin')) return true;
  // A PAD SPACE binary collation ignores trailing spaces, which a NO PAD source tells apart.
  return target.endsWith('_bin') && !source.includes('_nopad_');
}

/** Digits after the point a type keeps: decimal(10,2) 2, datetime(6) 6, datetime 0, float below double. */
function fractionDigits(type: string): { family: string; digits: number } | undefined {
  const decimal = /^(?:decimal|numeric)\(\d+(?:,(\d+))?\)/.exec(type);
  if (decimal) return { family: 'decimal', digits: Number(decimal[1] ?? 0) };
  const temporal = /^(datetime|timestamp|time)(?:\((\d)\))?/.exec(type);
  if (temporal) return { family: temporal[1]!, digits: Number(temporal[2] ?? 0) };
  if (/^float\b/.test(type)) return { family: 'binary float', digits: 1 };
  if (/^double\b/.test(type)) return { family: 'binary float', digits: 2 };
  return undefined;
}

function lookup<T>(map: ReadonlyMap<string, T>, column: string): T | undefined {
  if (map.has(column)) return map.get(column);
  for (const [name, value] of map) if (name.toLowerCase() === column.toLowerCase()) return value;
  return undefined;
}

/** The error a mapping amounts to (see checkMappedKeys), or undefined when it keeps the key. */
export function mappedKeyProblem(
  table: MappedTableRef,
  sourceColumns: readonly string[],
  sourceIndexes: readonly IndexInfo[],
  targetIndexes: readonly IndexInfo[],
  types?: KeyColumnTypes,
): FerryError | undefined {
  const candidates = identifyingKeys(targetIndexes);
  if (candidates.length === 0) return undefined;
  const name = `${tableName(table.source)} -> ${tableName(table.target)}`;
  // Target column (lower case) -> the source column that fills it.
  const filledBy = new Map<string, string>();
  for (const column of sourceColumns) {
    const mapped = table.mapColumn(column);
    if (mapped !== undefined) filledBy.set(mapped.toLowerCase(), column);
  }
  const missingOf = (columns: string[]) => columns.filter((column) => !filledBy.has(column.toLowerCase()));
  // Load applies by the first identifying key the rows hold (merge.ts): the same choice here.
  const targetKey = candidates.find((candidate) => missingOf(candidate.columns).length === 0);
  if (targetKey === undefined) {
    const [first, ...others] = candidates as [TableKey, ...TableKey[]];
    const described = others.map((k) => `${k.name} (${k.columns.join(', ')})`);
    return new FerryError('FERRY_ERR_MAPPING_DROPS_KEY', {
      table: name,
      key: `${first.name} (${first.columns.join(', ')})`,
      detail: `no source column fills ${missingOf(first.columns).map((c) => `'${c}'`).join(', ')}${described.length === 0 ? '' : `, nor every column of ${described.join(' or ')}`}`,
    });
  }

  const sourceKeys = sourceIndexes.filter((index) => index.unique && index.columns.length > 0 && index.columns.every((c) => c.name !== null && (index.name === 'PRIMARY' || !c.nullable)));
  // A source without a key is the primary_keys precheck's to report.
  if (sourceKeys.length === 0) return undefined;
  const targetParts = new Map(targetIndexes.find((index) => index.name === targetKey.name)!.columns.map((c) => [(c.name ?? '').toLowerCase(), c.prefix]));
  // Key columns that would tell fewer values apart on the target: 'name' (utf8mb4_bin on the source, ...).
  const coarser = new Set<string>();
  const holds = (index: IndexInfo) => index.columns.every((part) => {
    const mapped = table.mapColumn(part.name!);
    if (mapped === undefined || !targetParts.has(mapped.toLowerCase())) return false;
    const prefix = targetParts.get(mapped.toLowerCase());
    // A target prefix shorter than the source's compares less of the value than makes it unique.
    if (prefix !== undefined && (part.prefix === undefined || prefix < part.prefix)) return false;
    if (types === undefined) return true;
    const why = coarsening(lookup(types.source, part.name!), lookup(types.target, mapped));
    if (why === undefined) return true;
    coarser.add(`'${mapped}' (${why})`);
    return false;
  });
  if (sourceKeys.some(holds)) return undefined;
  const described = sourceKeys.map((index) => `${index.name} (${index.columns.map((c) => (c.prefix === undefined ? c.name : `${c.name}(${c.prefix})`)).join(', ')})`);
  const targetDescribed = targetIndexes.find((index) => index.name === targetKey.name)!.columns.map((c) => (c.prefix === undefined ? c.name : `${c.name}(${c.prefix})`));
  return new FerryError('FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE', {
    table: name,
    key: `${targetKey.name} (${targetDescribed.join(', ')})`,
    detail: `it holds no source key whole (source keys: ${described.join(', ')})${coarser.size === 0 ? '' : `; compared more coarsely: ${[...coarser].join(', ')}`}`,
  });
}

/** Source tables that map to one target table, if any (the first such target). */
function sharedTarget(tables: readonly MappedTableRef[]): MappedTableRef[] | undefined {
  const byTarget = new Map<string, MappedTableRef[]>();
  for (const table of tables) {
    const name = `${table.target.schema}\u0000${table.target.table}`;
    const list = byTarget.get(name) ?? [];
    list.push(table);
    byTarget.set(name, list);
  }
  return [...byTarget.values()].find((list) => list.length > 1);
}
