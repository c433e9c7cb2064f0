import type { PrecheckResult } from './types.ts';

/** One line per failure, for an error detail or a log field: "[id] detail. What to do: ...". */
export function describeFailure(result: PrecheckResult): string {
  return `[${result.id}] ${result.detail}${result.instruction ? `. What to do: ${result.instruction}` : ''}`;
}

/** Every failure in one line: "2 of 7 checks failed: [a] ...; [b] ...". */
export function failureSummary(results: readonly PrecheckResult[]): string {
  const failures = results.filter((result) => !result.ok);
  return `${failures.length} of ${results.length} checks failed: ${failures.map(describeFailure).join(' | ')}`;
}

/**
 * A table for a terminal: every check with its state and what it found, and under each
 * failure what to do.
 *
 *   ok    binlog_format        binlog_format is ROW
 *   FAIL  primary_keys         1 of 3 tables have no primary key ...
 *                              what to do: Add a primary key ...
 *   skip  binlog_retention     skipped by request
 */
export function formatPrecheckReport(results: readonly PrecheckResult[]): string {
  const width = Math.max(0, ...results.map((result) => result.id.length)) + 2;
  const indent = ' '.repeat(6 + width);
  const lines = results.flatMap((result) => {
    const state = result.skipped ? 'skip' : result.ok ? 'ok' : 'FAIL';
    const line = `${state.padEnd(6)}${result.id.padEnd(width)}${result.detail}`;
    return !result.ok && result.instruction ? [line, `${indent}what to do: ${result.instruction}`] : [line];
  });
  const failed = results.filter((result) => !result.ok).length;
  const skipped = results.filter((result) => result.skipped).length;
  const passed = results.length - failed - skipped;
  return [`prechecks: ${passed} passed, ${failed} failed, ${skipped} skipped`, ...lines].join('\n');
}
