import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { openLocalSource } from './local-source.ts';
import { verifyPart } from './verify-part.ts';

/**
 * Continuous validation in one process (`bin/ferry run` with validation.intervalSeconds): every
 * interval, the pipeline's tables are verified while it runs, the way a cluster node runs a
 * verify job (verify-part.ts: a differing row is read again once the pipeline passed it).
 * Differences are logged at error level with the counts per table: there is no alarm store
 * without a cluster. A failed validation is logged and tried again at the next interval.
 * Returns what stops it.
 */
export function startContinuousValidation(pipeline: RuntimePipeline, log: Logger): { stop(): Promise<void> } {
  const intervalMs = pipeline.validation.intervalSeconds * 1000;
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(intervalMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      if (stopping.signal.aborted) return;
      const source = await openLocalSource(pipeline).catch((error: unknown) => {
        log.warn({ code: isFerryError(error) ? error.code : undefined, detail: describeError(error) }, 'continuous validation could not reach the source; trying again at the next interval');
        return undefined;
      });
      if (source === undefined) continue;
      const abort = () => source.abort?.();
      stopping.signal.addEventListener('abort', abort, { once: true });
      try {
        const tables = await verifyPart(pipeline, source.side, log, {}, stopping.signal);
        const differing = tables.filter((table) => table.missing + table.extra + table.different > 0);
        if (differing.length === 0) log.info({ tables: tables.length, rows: tables.reduce((sum, t) => sum + t.rows, 0) }, 'continuous validation: identical');
        else log.error({ tables: differing.map(({ table, missing, extra, different, samples }) => ({ table, missing, extra, different, samples })) }, 'continuous validation: source and target differ (bin/ferry verify --repair mends it)');
      } catch (error) {
        if (!stopping.signal.aborted) log.warn({ code: isFerryError(error) ? error.code : undefined, detail: describeError(error) }, 'continuous validation failed; trying again at the next interval');
      } finally {
        stopping.signal.removeEventListener('abort', abort);
        await source.close();
      }
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
