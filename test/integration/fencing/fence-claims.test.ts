import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { CheckpointStore, type FenceOwner } from '../../../node/load/checkpoint-store.ts';
import { testDatabase } from '../../support/mariadb.ts';

const START = { file: 'mysql-bin.000001', pos: 4 };

/** The fence of one pipeline in a system schema of the test's own on the target (db2). */
async function fenceFixture() {
  const db = await testDatabase('db2');
  const { app } = inject('services').users;
  const pool = mysql.createPool({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password, connectionLimit: 4 });
  const systemSchema = `_ferry_f_${randomBytes(4).toString('hex')}`;
  onTestFinished(async () => {
    await pool.query(`DROP DATABASE IF EXISTS \`${systemSchema}\``);
    await pool.end();
  });
  const store = (epoch: number, owner: FenceOwner) => new CheckpointStore('mariadb', systemSchema, 'p1', epoch, owner);
  const claim = async (s: CheckpointStore) => {
    await s.ensureTables(pool);
    const connection = await pool.getConnection();
    try {
      return await s.claim(connection, START);
    } finally {
      connection.release();
    }
  };
  /** Runs a batch transaction's fence check, as every commit does. */
  const commitCheck = async (s: CheckpointStore) => {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await s.checkFence(connection);
    } finally {
      await connection.rollback();
      connection.release();
    }
  };
  return { claim, commitCheck, store };
}

const fenced = { code: 'FERRY_ERR_FENCED' };

describe('the fence: a compare-and-set on epoch and owner', () => {
  it('refuses a second owner at the same epoch; a same-scope re-claim shuts out the runner it replaces', async () => {
    const { claim, commitCheck, store } = await fenceFixture();
    const first = store(5, { scope: 'node:n1', id: 'node:n1/a' });
    await claim(first);
    await commitCheck(first);

    // Another node at the same epoch: both would commit. Refused.
    const other = store(5, { scope: 'node:n1-other', id: 'node:n1-other/b' });
    await expect(claim(other)).rejects.toMatchObject(fenced);
    await commitCheck(first);

    // The same node, restarted (same assignment epoch): it takes its row back, and the
    // runner it replaces can no longer commit.
    const restarted = store(5, { scope: 'node:n1', id: 'node:n1/c' });
    await claim(restarted);
    await commitCheck(restarted);
    await expect(commitCheck(first)).rejects.toMatchObject(fenced);

    // A strictly greater epoch takes it from anyone; the old epoch is out.
    const successor = store(6, { scope: 'node:n2', id: 'node:n2/d' });
    await claim(successor);
    await commitCheck(successor);
    await expect(commitCheck(restarted)).rejects.toMatchObject(fenced);

    // A `bin/ferry run` of the same name (epoch 0) beside the cluster: refused.
    await expect(claim(store(0, { scope: 'run', id: 'run/e' }))).rejects.toMatchObject(fenced);
    await commitCheck(successor);
  });
});
