import type { Connection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { SESSION_MS, testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #6, done when: a node whose ZooKeeper session expires while its process lives on
 * (frozen with SIGSTOP) never writes beside its successor, the tables end identical, and the
 * old node rejoins cleanly. Every checkpoint write on the target is logged by a trigger, so
 * the test sees each commit's epoch in commit order.
 */
const PROTECTION_MS = 1_000;

/** Logs this pipeline's checkpoint writes (one per committed batch) into <schema>_audit.commits. */
async function auditCommits(target: Connection, pipeline: string): Promise<{ commits(): Promise<{ seq: number; epoch: number }[]>; remove(): Promise<void> }> {
  const audit = `\`${pipeline}_audit\``;
  const names = ['ins', 'upd'].map((kind) => `\`_ferry\`.\`audit_${pipeline}_${kind}\``);
  await target.query(`CREATE DATABASE ${audit}; CREATE TABLE ${audit}.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, seq BIGINT NOT NULL, epoch BIGINT NOT NULL)`);
  for (const [i, event] of ['INSERT', 'UPDATE'].entries()) {
    await target.query(`CREATE TRIGGER ${names[i]} AFTER ${event} ON _ferry.checkpoints FOR EACH ROW
      IF NEW.pipeline = '${pipeline}' THEN INSERT INTO ${audit}.commits (seq, epoch) VALUES (NEW.seq, NEW.epoch); END IF`);
  }
  return {
    commits: async () => {
      const [rows] = await target.query(`SELECT seq, epoch FROM ${audit}.commits ORDER BY id`);
      return (rows as { seq: number; epoch: number }[]).map((r) => ({ seq: Number(r.seq), epoch: Number(r.epoch) }));
    },
    // Triggers first: other tests' checkpoint writes must never meet a trigger whose table is gone.
    remove: async () => {
      for (const name of names) await target.query(`DROP TRIGGER IF EXISTS ${name}`);
      await target.query(`DROP DATABASE IF EXISTS ${audit}`);
    },
  };
}

describe('arbiter: a node whose session expires while it lives on', () => {
  it('never writes beside its successor, and rejoins cleanly', async () => {
    const cluster = await testCluster({ managerArgs: ['--protection-period', `${PROTECTION_MS}ms`], nodes: ['n1', 'n2'] });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const first = await cluster.runningOn();
    const audit = await auditCommits(pair.target.connection, cluster.pipeline);
    try {
      const workload = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 400, seed: 81 });
      const frozen = cluster.nodes.get(first.node!)!;
      await eventually(async () => ((await audit.commits()).length > 0 ? true : undefined), 20_000, 'a first audited commit');
      frozen.child.kill('SIGSTOP');
      const moved = await cluster.runningOn({ not: first.node! }, SESSION_MS + PROTECTION_MS + 20_000);
      expect(moved.epoch!).toBeGreaterThan(first.epoch!);
      frozen.child.kill('SIGCONT');
      // It notices its session is gone, registers again and follows the assignments: nothing.
      await eventually(() => (frozen.output().split(`node ${first.node} registered`).length >= 3 ? true : undefined), 30_000, `${first.node} to register again`);
      await workload;
      await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

      const commits = await audit.commits();
      const takeover = commits.findIndex((c) => c.epoch === moved.epoch);
      expect(takeover).toBeGreaterThan(0);
      // Commit order: epochs never go back, and the old epoch never commits after the new one did.
      for (let i = 1; i < commits.length; i++) expect(commits[i]!.epoch).toBeGreaterThanOrEqual(commits[i - 1]!.epoch);
      expect(commits.slice(takeover).every((c) => c.epoch === moved.epoch)).toBe(true);
      expect(new Set(commits.map((c) => c.seq)).size).toBe(commits.length);
      console.log(`commits audited: ${takeover} under epoch ${first.epoch} on ${first.node}, ${commits.length - takeover} under epoch ${moved.epoch} on ${moved.node}`);

      const cluster_ = await cluster.api.get<{ nodes: { id: string; state: string }[] }>('/api/v1/cluster');
      expect(cluster_.body.nodes.find((n) => n.id === first.node)?.state).toBe('up');
      expect(frozen.child.exitCode).toBeNull();
    } finally {
      await audit.remove();
    }
  });
});
