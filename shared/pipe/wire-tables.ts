import type { ColumnInfo } from '../model/change.ts';
import { corrupt, type WireReader, type WireWriter } from './wire-buffer.ts';

/**
 * Table column lists sent once, then named by id. Every row change carries its table's
 * ColumnInfo[]; on the wire a change carries only an id, and the first use of an id is
 * followed by the definition (schema, table, columns), so the reader learns ids in the order
 * it reads them and needs no separate message. The writer decides how long ids live: one
 * payload ('batch') or the whole connection ('connection'), when a payload header flag tells
 * the reader to forget what it knew (wire-format.ts). Ids are per direction and per
 * connection: a new connection starts both sides empty.
 */

export type TableScope = 'batch' | 'connection';

/** Definitions a connection keeps at most; past that the writer starts over (a schema with endless ALTERs). */
export const MAX_TABLE_DEFINITIONS = 4096;

export interface TableDefinition {
  schema: string;
  table: string;
  columns: ColumnInfo[];
}

export class TableIdWriter {
  private readonly ids = new Map<string, number>();
  /** The key of each columns array seen: rows of one table map share one array, so this is hit almost always. */
  private keys = new WeakMap<ColumnInfo[], string>();

  get size(): number {
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
    this.keys = new WeakMap();
  }

  /** Writes the id of the table; its definition too when the reader has not seen it. */
  write(out: WireWriter, schema: string, table: string, columns: ColumnInfo[]): void {
    let columnsKey = this.keys.get(columns);
    if (columnsKey === undefined) {
      columnsKey = JSON.stringify(columns.map((c) => [c.name, c.typeCode, c.columnType, c.charset, c.unsigned]));
      this.keys.set(columns, columnsKey);
    }
    const key = `${schema}\0${table}\0${columnsKey}`;
    const known = this.ids.get(key);
    if (known !== undefined) {
      out.uvarint(known);
      return;
    }
    const id = this.ids.size;
    this.ids.set(key, id);
    out.uvarint(id);
    out.string(schema);
    out.string(table);
    out.uvarint(columns.length);
    for (const column of columns) {
      out.string(column.name);
      out.uvarint(column.typeCode);
      out.string(column.columnType);
      // 0: binary or non-text, 1: charset follows; bit 1: unsigned.
      out.byte((column.charset === null ? 0 : 1) | (column.unsigned ? 2 : 0));
      if (column.charset !== null) out.string(column.charset);
    }
  }
}

export class TableIdReader {
  private definitions: TableDefinition[] = [];

  clear(): void {
    this.definitions = [];
  }

  read(input: WireReader): TableDefinition {
    const id = input.uvarint('a table id');
    if (id < this.definitions.length) return this.definitions[id]!;
    if (id !== this.definitions.length) throw corrupt(`table id ${id} was never defined (${this.definitions.length} known)`);
    const schema = input.string('a schema name');
    const table = input.string('a table name');
    const count = input.count('a column count');
    const columns: ColumnInfo[] = new Array<ColumnInfo>(count);
    for (let i = 0; i < count; i++) {
      const name = input.string('a column name');
      const typeCode = input.uvarint('a column type code');
      const columnType = input.string('a column type');
      const flags = input.byte('column flags');
      if (flags > 3) throw corrupt(`column flags ${flags} of ${schema}.${table}.${name}`);
      const charset = (flags & 1) !== 0 ? input.string('a charset') : null;
      columns[i] = { name, typeCode, columnType, charset, unsigned: (flags & 2) !== 0 };
    }
    const definition = { schema, table, columns };
    this.definitions.push(definition);
    return definition;
  }
}
