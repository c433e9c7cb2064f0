/**
 * Fault points that tests switch on to crash the process at the worst moment, instead of
 * mocking: FERRY_FAULTS="before-commit:3,after-commit:1" kills the process with SIGKILL the
 * 3rd time it reaches before-commit, or the 1st time it reaches after-commit. Unset in
 * production, where each check is one Map lookup on an empty map.
 */
export type FaultPoint = 'before-commit' | 'after-commit' | 'after-checkpoint-write' | 'before-ddl-checkpoint';

const armed = new Map<string, number>();
for (const entry of (process.env.FERRY_FAULTS ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
  const [name, count] = entry.split(':');
  if (name) armed.set(name, Number(count ?? '1') || 1);
}

export function faultPoint(name: FaultPoint): void {
  if (armed.size === 0) return;
  const remaining = armed.get(name);
  if (remaining === undefined) return;
  if (remaining > 1) {
    armed.set(name, remaining - 1);
    return;
  }
  process.stderr.write(`ferry: fault point ${name} reached, killing the process\n`);
  process.kill(process.pid, 'SIGKILL');
}
