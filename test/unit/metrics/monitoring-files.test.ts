import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FerryMetrics } from '../../../shared/metrics/registry.ts';
import { SERIES } from '../../../shared/metrics/series.ts';

/** The dashboard and alert rules kept in monitoring/ use only series Ferry exports. */

const root = join(import.meta.dirname, '..', '..', '..', 'monitoring');

/** Every sample name a Ferry process can export: its series and Node's process metrics (histograms with their suffixes). */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await new FerryMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (['histogram', 'summary'].includes(String(metric.type))) for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** Metric names in PromQL: Ferry's own and the process metrics'. */
const namesIn = (expr: string): string[] => [...expr.matchAll(/\b(?:ferry|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0]);

describe('monitoring files', () => {
  it('every series in SERIES is in the registry, with the ferry_ prefix', async () => {
    const names = await exportedNames();
    for (const spec of Object.values(SERIES)) {
      expect(spec.name.startsWith('ferry_')).toBe(true);
      expect(names.has(spec.name)).toBe(true);
    }
  });

  it('the Grafana dashboard queries only exported series', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'grafana', 'ferry-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const names = await exportedNames();
    const used = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => namesIn(target.expr)));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !names.has(name))).toEqual([]);
    // Each of the series is shown somewhere.
    for (const spec of Object.values(SERIES)) expect(used.some((name) => name === spec.name || name.startsWith(`${spec.name}_`))).toBe(true);
  });

  it('the Prometheus alert rules use only exported series and mirror Ferry\'s alarms', async () => {
    const rules = parse(readFileSync(join(root, 'prometheus', 'ferry-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const names = await exportedNames();
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.flatMap((rule) => namesIn(rule.expr)).filter((name) => !names.has(name))).toEqual([]);
    expect(all.map((rule) => rule.alert)).toEqual(expect.arrayContaining(['FerryPipelineLag', 'FerryPipelineNoProgress', 'FerryPipelineErrors', 'FerryNodeLost']));
  });
});
