import { Registry, collectDefaultMetrics } from 'prom-client';
import { createSeries, type FerrySeries } from './series.ts';

/** Refreshes gauges from the state they mirror, right before a scrape reads them. */
export type ScrapeHook = () => void | Promise<void>;

/**
 * One process's metrics: its own registry (never prom-client's global one, so that tests and
 * several managers in one process do not share series), Node's process metrics under their
 * usual names (process_*, nodejs_*), and Ferry's series (series.ts) under `ferry_`.
 */
export class FerryMetrics {
  readonly registry = new Registry();
  readonly series: FerrySeries;
  private readonly hooks = new Set<ScrapeHook>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.series = createSeries(this.registry);
  }

  /** `hook` runs before every scrape until the returned function is called. */
  onScrape(hook: ScrapeHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** The text format, with every gauge refreshed first. */
  async text(): Promise<string> {
    for (const hook of this.hooks) await hook();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
