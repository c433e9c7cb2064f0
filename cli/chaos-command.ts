import { join } from 'node:path';
import { FAULT_KINDS } from '../chaos/kinds.ts';
import { runChaos } from '../chaos/run.ts';
import { DEFAULT_OVERLAP_SHARE, parseKinds, parseOverlap } from '../chaos/schedule.ts';
import { parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry chaos [--faults N] [--seed S] [--minutes M] [--kinds K] [--overlap S] [--keep]

Starts a cluster of real processes on 127.0.0.1 in a temporary folder (a ZooKeeper ensemble
of three, a source group of a durable master and its natively replicating standby, a target
in the other datacenter and a peer for a bidirectional channel, two managers, four nodes in
two datacenters, the pipelines split across them through an emulated WAN), runs write
loads whose every transaction is written to a ledger, and injects N faults drawn with the
seed, mostly one at a time, timing how long replication takes to move again. Then the load
stops, every table is compared and the ledgers accounted for.
Writes chaos/results/latest.json; exits 0 only when nothing differs and every recovery met
its bound (docs/chaos.md).

  --faults N    faults to inject (default 4)
  --seed S      seed of the schedule and the load (default: drawn, and printed)
  --minutes M   inject no fault after M minutes (default: no limit)
  --kinds K     draw only these fault kinds, comma-separated (default: all of them:
                ${wrap(FAULT_KINDS.join(', '), 64).join('\n                ')})
  --overlap S   share of faults injected while the one before is unresolved, 0 to 1
                (default ${DEFAULT_OVERLAP_SHARE}; 0: strictly one at a time)
  --keep        keep the temporary folder (data and logs) afterwards
`;

/** Lines of at most `width` characters, broken after a comma. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

export const chaosCommand: Command = {
  name: 'chaos',
  summary: 'random faults against a local cluster under load, then a strict check of the data (docs/chaos.md)',
  usage,
  async run(argv, { log, out }) {
    const { values } = parseCommandArgs(argv, { faults: { type: 'string' }, seed: { type: 'string' }, minutes: { type: 'string' }, kinds: { type: 'string' }, overlap: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      out(usage);
      return 0;
    }
    const faults = positiveInt(values.faults, '--faults', 4);
    const seed = positiveInt(values.seed, '--seed', 1 + Math.floor(Math.random() * 1_000_000));
    const minutes = values.minutes === undefined ? undefined : positiveInt(values.minutes, '--minutes', 1);
    const kinds = values.kinds === undefined ? undefined : parseKinds(values.kinds);
    const overlap = values.overlap === undefined ? DEFAULT_OVERLAP_SHARE : parseOverlap(values.overlap);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await runChaos({ faults, seed, ...(minutes === undefined ? {} : { minutes }), ...(kinds === undefined ? {} : { kinds }), overlap, keep: values.keep === true, reportFile: join(import.meta.dirname, '..', 'chaos', 'results', 'latest.json') }, log, out, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
