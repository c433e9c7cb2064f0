import { createInterface } from 'node:readline';
import { mbitToBytesPerSecond, type Direction, type WanProxy } from '../services/index.ts';

/** What a control line asks of the proxy, or why it cannot be done. */
export type ControlResult = { ok: string } | { error: string };

const HELP = 'commands: delay MS [up|down], rate MBIT|off [up|down], cut, blackhole, heal, stats';

/**
 * One line of the wan-proxy's stdin control, applied to `proxy`: runtime changes for manual
 * use and for scripts that run the proxy as a process of its own.
 */
export function applyControl(proxy: WanProxy, line: string): ControlResult {
  const [verb, value, which, ...extra] = line.trim().split(/\s+/);
  const direction: Direction | 'both' | undefined = which === undefined ? 'both' : which === 'up' || which === 'down' ? which : undefined;
  switch (verb) {
    case 'delay': {
      if (direction === undefined || extra.length > 0 || value === undefined || !/^\d{1,9}$/.test(value)) return { error: `delay takes a whole number of ms and optionally up or down; ${HELP}` };
      proxy.setDelay(Number(value), direction);
      return { ok: `delay ${value} ms ${direction === 'both' ? 'each way' : direction}` };
    }
    case 'rate': {
      const mbit = value === 'off' ? 0 : Number(value);
      if (direction === undefined || extra.length > 0 || value === undefined || !(value === 'off' || (/^\d+(\.\d+)?$/.test(value) && mbit > 0))) return { error: `rate takes Mbit/s above 0 or off, and optionally up or down; ${HELP}` };
      proxy.setRate(mbitToBytesPerSecond(mbit), direction);
      return { ok: `rate ${value === 'off' ? 'unlimited' : `${value} Mbit/s`} ${direction === 'both' ? 'each way' : direction}` };
    }
    case 'cut':
    case 'blackhole':
    case 'heal':
      if (value !== undefined) return { error: `${verb} takes no argument; ${HELP}` };
      proxy[verb]();
      return { ok: verb === 'heal' ? 'healed' : verb === 'cut' ? 'cut: connections reset, new ones refused until heal' : 'blackholed: nothing crosses, nothing closes, until heal' };
    case 'stats':
      return { ok: 'stats' };
    default:
      return { error: `unknown command '${verb ?? ''}'; ${HELP}` };
  }
}

/** Reads control lines from stdin until stop() (an ended stdin just stops reading). */
export function controlFromStdin(proxy: WanProxy, answer: (result: ControlResult) => void): { stop: () => void } {
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() !== '') answer(applyControl(proxy, line));
  });
  return { stop: () => lines.close() };
}
