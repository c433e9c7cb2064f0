import type { Pool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { applyDdl } from '../../../node/pipeline/ddl-apply.ts';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { SourceTransaction, TableRef } from '../../../shared/model/change.ts';

/** A pool that records the statements Load runs. */
function recordingPool(): { pool: Pool; statements: string[] } {
  const statements: string[] = [];
  const pool = { query: (sql: string) => Promise.resolve(statements.push(sql)) } as unknown as Pool;
  return { pool, statements };
}

function pipeline(fields: Record<string, unknown>) {
  return resolvePipeline({ name: 'b-to-a', source: 'mysql://r:p@db-b:3306', target: 'mysql://w:p@db-a:3306', tables: ['shop.*'], ...fields });
}

const ddl = (sql: string): SourceTransaction => ({ end: { file: 'bin.000001', pos: 4 }, timestamp: 0, changes: [], ddl: { schema: 'shop', sql } });

describe('DDL in a bidirectional pair', () => {
  it('the non-primary direction refuses DDL on a replicated table with FERRY_ERR_DDL_NOT_PRIMARY, whatever its ddl policy but ignore', async () => {
    for (const policy of ['apply', 'stop'] as const) {
      const { pool, statements } = recordingPool();
      const context = { pipeline: pipeline({ ddl: policy, bidirectional: { mirror: 'a-to-b' } }), pool, log: silentLogger(), firstAfterResume: false, knownTables: new Map<string, TableRef>([['shop\u0000orders', { schema: 'shop', table: 'orders' }]]) };
      await expect(applyDdl(ddl('ALTER TABLE orders ADD c INT'), context)).rejects.toMatchObject({ code: 'FERRY_ERR_DDL_NOT_PRIMARY' });
      await expect(applyDdl(ddl('DROP TABLE orders'), context)).rejects.toMatchObject({ code: 'FERRY_ERR_DDL_NOT_PRIMARY' });
      await expect(applyDdl(ddl('DROP DATABASE shop'), context)).rejects.toMatchObject({ code: 'FERRY_ERR_DDL_NOT_PRIMARY' });
      // DDL on tables the pipeline does not replicate concerns no one.
      await expect(applyDdl(ddl('ALTER TABLE other.t ADD c INT'), context)).resolves.toEqual([]);
      expect(statements).toEqual([]);
    }
    const { pool, statements } = recordingPool();
    const ignoring = { pipeline: pipeline({ ddl: 'ignore', bidirectional: { mirror: 'a-to-b' } }), pool, log: silentLogger(), firstAfterResume: false, knownTables: new Map<string, TableRef>() };
    await expect(applyDdl(ddl('ALTER TABLE orders ADD c INT'), ignoring)).resolves.toEqual([]);
    expect(statements).toEqual([]);
  });

  it('the primary direction, and a one-way pipeline, apply DDL marked with the pipeline', async () => {
    for (const fields of [{ bidirectional: { mirror: 'a-to-b', primary: true } }, {}]) {
      const { pool, statements } = recordingPool();
      const context = { pipeline: pipeline({ ddl: 'apply', ...fields }), pool, log: silentLogger(), firstAfterResume: false, knownTables: new Map<string, TableRef>() };
      await applyDdl(ddl('ALTER TABLE orders ADD c INT'), context);
      await applyDdl(ddl('DROP TABLE orders, other.t'), context);
      expect(statements).toEqual(['/* ferry:b-to-a */ ALTER TABLE `shop`.`orders` ADD c INT', 'DROP TABLE IF EXISTS /* ferry:b-to-a */ `shop`.`orders`']);
    }
  });
});
