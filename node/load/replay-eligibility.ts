import type { ColumnInfo } from '../../shared/model/change.ts';
import type { TargetColumn, TargetTable } from './target-tables.ts';

/**
 * Whether the source's row events of a table may be replayed into the target table
 * (docs/replay.md): the row applier writes column i of the event into column i of the table,
 * and fires no trigger. So the target must have no triggers and must start with the
 * source's columns, in the same order, of the same types (COLUMN_TYPE text, and the same
 * charset for text); further target columns at the end get their defaults. Returns why
 * not, or undefined. A mismatch the server would turn into a conversion error or, worse,
 * into other bytes (a charset), keeps the SQL path, which converts values by name.
 */
export function replayRefusal(target: TargetTable, source: ColumnInfo[]): string | undefined {
  if (target.triggers === true) return 'the target table has triggers (replayed row events do not fire them)';
  const columns = target.definition;
  if (columns === undefined) return 'the target table\'s columns are not known';
  if (columns.length < source.length) return `the target table has ${columns.length} columns, the source ${source.length}`;
  for (let i = 0; i < source.length; i++) {
    const why = columnRefusal(columns[i]!, source[i]!);
    if (why !== undefined) return `column ${i + 1}: ${why}`;
  }
  return undefined;
}

function columnRefusal(target: TargetColumn, source: ColumnInfo): string | undefined {
  if (target.name.toLowerCase() !== source.name.toLowerCase()) return `the target has '${target.name}' where the source has '${source.name}'`;
  if (source.columnType === '' || storedType(target.type) !== storedType(source.columnType)) {
    return `'${source.name}' is ${target.type} on the target, ${source.columnType === '' ? 'of unknown type' : source.columnType} on the source`;
  }
  const sourceCharset = charsetName(source.charset);
  const targetCharset = charsetName(target.charset);
  if (sourceCharset !== undefined && targetCharset !== undefined && sourceCharset !== targetCharset) {
    return `'${source.name}' is ${targetCharset} text on the target, ${sourceCharset} on the source`;
  }
  return undefined;
}

/**
 * A column type as far as it decides the stored bytes. The source's type comes from the table
 * map (zongji builds it from binlog_row_metadata=FULL) and lacks what only the table
 * definition knows: integer display widths and ZEROFILL, YEAR's width, FLOAT and DOUBLE's
 * (M,D). None of them changes how a value is stored, so both sides drop them. And
 * information_schema holds COLUMN_TYPE in utf8mb3, so an ENUM or SET value with a character
 * beyond it ('😀') reads '?' there: both sides write such characters as '?'.
 */
export function storedType(type: string): string {
  return type.toLowerCase()
    .replace(/^(tinyint|smallint|mediumint|int|integer|bigint|year)\(\d+\)/, '$1')
    .replace(/^(float|double|real)\(\d+,\d+\)/, '$1')
    .replace(/\s+zerofill\b/, '')
    .replace(/\s+/g, ' ')
    .replace(/[\u{10000}-\u{10FFFF}]/gu, '?')
    .trim();
}

/** A text column's charset, one name per charset; undefined for binary and non-text columns. */
function charsetName(charset: string | null): string | undefined {
  if (charset === null || charset === 'binary') return undefined;
  const lower = charset.toLowerCase();
  return lower === 'utf8' ? 'utf8mb3' : lower;
}

/**
 * replayRefusal, cached on the target table per source column list (its text), so a batch
 * costs a lookup per table: the cache goes with the table's entry when DDL invalidates it.
 */
export function cachedReplayRefusal(target: TargetTable, source: ColumnInfo[]): string | undefined {
  const verdicts = target.replayVerdicts;
  if (verdicts === undefined) return replayRefusal(target, source);
  const signature = columnsSignature(source);
  let verdict = verdicts.get(signature);
  if (verdict === undefined) {
    verdict = replayRefusal(target, source) ?? null;
    verdicts.set(signature, verdict);
  }
  return verdict ?? undefined;
}

function columnsSignature(columns: ColumnInfo[]): string {
  let text = '';
  for (const column of columns) text += `${column.name}\u0000${column.columnType}\u0000${column.charset ?? ''}\u0001`;
  return text;
}
