import type { PipelineStatsRecord } from '../shared/cluster/model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { isFerryError } from '../shared/errors/index.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';
import { readRecord } from './runtime-state.ts';
import { newestPerPipeline } from './stats-writer.ts';

/** One sample: [at (ms since the epoch, node clock), lagMs (null: not measured), rowsPerSecond]. */
export type HistorySample = [at: number, lagMs: number | null, rowsPerSecond: number];

/** /history/<pipeline>: samples oldest first, and the assignment epoch of the newest. */
export interface PipelineHistoryRecord {
  pipeline: string;
  epoch: number;
  samples: HistorySample[];
}

export interface HistoryLimits {
  /** A report closer than this to the last sample is not kept. @default 5000 */
  spacingMs: number;
  /** Samples older than this before the newest are dropped. @default 30 minutes */
  windowMs: number;
  /** The record's JSON is kept under this many bytes, oldest samples dropped first. @default 16 KiB */
  maxBytes: number;
}

/** 30 minutes at one sample per 5 s is 361 samples of about 30 bytes: well under the 16 KiB cap. */
export const HISTORY_LIMITS: HistoryLimits = { spacingMs: 5_000, windowMs: 30 * 60_000, maxBytes: 16 * 1024 };

const ATTEMPTS = 3;

/**
 * The history with `stats` appended, or undefined when the report adds no sample (too close to
 * the last one, an older epoch, a date that does not parse). Samples are spaced by the report's
 * own time, so any manager taking reports keeps the same spacing. A new epoch (the pipeline
 * moved) may come from a node whose clock is behind: the samples it would contradict go.
 */
export function appendSample(history: PipelineHistoryRecord | undefined, stats: PipelineStatsRecord, limits: HistoryLimits = HISTORY_LIMITS): PipelineHistoryRecord | undefined {
  const at = Date.parse(stats.at);
  if (Number.isNaN(at)) return undefined;
  let samples = history?.samples ?? [];
  if (history !== undefined) {
    if (stats.epoch < history.epoch) return undefined;
    const last = samples[samples.length - 1];
    if (last !== undefined && at < last[0] + limits.spacingMs) {
      if (stats.epoch === history.epoch) return undefined;
      samples = samples.filter(([sampleAt]) => sampleAt < at);
    }
  }
  const sample: HistorySample = [at, stats.lagMs === null ? null : Math.round(stats.lagMs), Math.round(stats.rowsPerSecond * 10) / 10];
  const kept = [...samples, sample].filter(([sampleAt]) => sampleAt >= at - limits.windowMs);
  const record: PipelineHistoryRecord = { pipeline: stats.pipeline, epoch: stats.epoch, samples: kept };
  // Drop the oldest until it fits: a rough count first, then exact.
  while (record.samples.length > 1 && Buffer.byteLength(JSON.stringify(record)) > limits.maxBytes) {
    const over = Buffer.byteLength(JSON.stringify(record)) - limits.maxBytes;
    record.samples = record.samples.slice(Math.max(1, Math.floor(over / 40)));
  }
  return record;
}

/**
 * Appends the reported figures to each pipeline's history (/history/<pipeline>), as reports
 * arrive at any manager: a compare-and-set on the version read, a few attempts, and a lost
 * race simply leaves the sample to the next report (display data).
 */
export async function appendHistory(zk: ZkClient, stats: readonly PipelineStatsRecord[], limits: HistoryLimits = HISTORY_LIMITS, seen?: LastSamples): Promise<void> {
  await Promise.all(newestPerPipeline(stats).map((record) => appendOne(zk, record, limits, seen)));
}

/**
 * What this manager last read or wrote as each pipeline's newest sample (time and epoch). The
 * stored newest is never older, so a report of the same epoch too close to it can be dropped
 * without reading the record (nodes report every 1-2 s, samples are kept every 5 s); anything
 * else is decided on the stored record. A hint only: managers keep no state that matters.
 */
export type LastSamples = Map<string, { at: number; epoch: number }>;

async function appendOne(zk: ZkClient, stats: PipelineStatsRecord, limits: HistoryLimits, seen?: LastSamples): Promise<void> {
  const last = seen?.get(stats.pipeline);
  if (last !== undefined && stats.epoch === last.epoch && Date.parse(stats.at) < last.at + limits.spacingMs) return;
  const path = zkPaths.pipelineHistory(stats.pipeline);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = await readRecord<PipelineHistoryRecord>(zk, path);
    const next = appendSample(current?.value, stats, limits);
    if (next === undefined) {
      remember(seen, current?.value);
      return;
    }
    try {
      if (current === undefined) await zk.create(path, JSON.stringify(next));
      else await zk.setData(path, JSON.stringify(next), current.version);
      remember(seen, next);
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') && !isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION')) throw error;
    }
  }
}

function remember(seen: LastSamples | undefined, history: PipelineHistoryRecord | undefined): void {
  const newest = history?.samples[history.samples.length - 1];
  if (seen === undefined || history === undefined || newest === undefined) return;
  seen.set(history.pipeline, { at: newest[0], epoch: history.epoch });
  // Pipelines come and go: a bound keeps the hint small (dropping it only costs a read).
  if (seen.size > 10_000) seen.clear();
}

export async function readHistory(zk: ZkClient, pipeline: string): Promise<PipelineHistoryRecord | undefined> {
  return (await readRecord<PipelineHistoryRecord>(zk, zkPaths.pipelineHistory(pipeline)))?.value;
}
