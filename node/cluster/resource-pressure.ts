import { statfsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** Heap use (of the process's cap) above which a node takes no new work. */
export const HEAP_FULL_RATIO = 0.85;
/** Free space under the cache directory below which a node takes no new work. */
export const DISK_FULL_BYTES = 256 * 1024 * 1024;

/**
 * Why this node should report itself 'full' (YunTable: tell a full machine from a dead one),
 * or undefined. A full node keeps what it runs and is not treated as dead; the leader just
 * places nothing new on it.
 */
export function resourcePressure(cacheDir: string, assigned: number, capacity: number): string | undefined {
  if (assigned >= capacity) return `${assigned} of ${capacity} pipelines`;
  const heap = getHeapStatistics();
  if (heap.used_heap_size > HEAP_FULL_RATIO * heap.heap_size_limit) return `heap ${Math.round(heap.used_heap_size / 1e6)} of ${Math.round(heap.heap_size_limit / 1e6)} MB`;
  try {
    const disk = statfsSync(cacheDir);
    const free = disk.bavail * disk.bsize;
    if (free < DISK_FULL_BYTES) return `${Math.round(free / 1e6)} MB free under ${cacheDir}`;
  } catch {
    // No cache directory yet: nothing to judge by.
  }
  return undefined;
}
