import { WanProxy, mbitToBytesPerSecond, type WanStats } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import { parseCommandArgs, positiveInt, UsageProblems, type Command } from './command.ts';
import { hostPortFlag } from './host-port-flag.ts';
import { controlFromStdin } from './wan-proxy-control.ts';

const usage = `Usage: bin/ferry wan-proxy --to HOST:PORT [--listen HOST:PORT] [--delay-ms N] [--rate-mbit N] [options]

A WAN link on loopback for tests, the benchmark and trying Ferry across "datacenters" where
tc/netem is not available: a TCP proxy that delays every byte by a one-way latency, limits
the bandwidth of each direction, and keeps order. Each connection holds at most --buffer-kib
per direction; past that the proxy stops reading and TCP slows the sender.

Prints its counters as one JSON line when it starts, on SIGUSR1, every --stats-seconds, and
when it stops: listen address, state, per direction (up = client to server, down = back) the
bytes that crossed, the bytes held, the delay and rate; connections accepted and open.
SIGTERM or Ctrl-C closes every connection and exits 0.

Lines on stdin change the link at runtime (open connections too); each is answered on stdout:
  delay MS [up|down]         one-way delay, both directions or one
  rate MBIT|off [up|down]    bandwidth, or no limit
  cut                        reset every connection; refuse new ones until heal
  blackhole                  nothing crosses, nothing closes (half-open) until heal
  heal                       end a cut or a blackhole
  stats                      print the counters

Options:
  --to HOST:PORT        the server to forward to (required)
  --listen HOST:PORT    where to listen (default 127.0.0.1:0, a free port)
  --delay-ms N          one-way delay each direction, ms (default 0; a round trip is 2 N)
  --rate-mbit N         bandwidth each direction, Mbit/s (10^6 bits; default no limit)
  --buffer-kib N        bytes a connection may hold per direction, KiB (default 4096, at
                        least 128); with no rate limit, throughput is at most this per delay
  --stats-seconds N     also print the counters every N seconds (default: only on a signal)
`;

export const wanProxyCommand: Command = {
  name: 'wan-proxy',
  summary: 'a TCP proxy that emulates a WAN link: delay, bandwidth (tests, benchmark)',
  usage,
  async run(argv, { log, out }) {
    const parsing = new UsageProblems();
    const { values } = parseCommandArgs(argv, {
      to: { type: 'string' },
      listen: { type: 'string' },
      'delay-ms': { type: 'string' },
      'rate-mbit': { type: 'string' },
      'buffer-kib': { type: 'string' },
      'stats-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }, false, parsing);
    if (values.help) {
      out(usage);
      return 0;
    }
    if (values.to === undefined) parsing.add('--to is required (HOST:PORT of the server)');
    const target = values.to === undefined ? undefined : parsing.check(() => hostPortFlag(values.to!, '--to'), undefined);
    const listen = parsing.check(() => hostPortFlag(values.listen ?? '127.0.0.1:0', '--listen', true), undefined);
    const delayMs = parsing.check(() => wholeMs(values['delay-ms'], '--delay-ms'), 0);
    const rateMbit = parsing.check(() => positiveNumber(values['rate-mbit'], '--rate-mbit'), undefined);
    const bufferKib = parsing.check(() => positiveInt(values['buffer-kib'], '--buffer-kib', 4096), 4096);
    if (bufferKib < 128) parsing.add(`--buffer-kib takes 128 or more, got '${values['buffer-kib']}'`);
    const statsSeconds = parsing.check(() => positiveInt(values['stats-seconds'], '--stats-seconds', 0), 0);
    parsing.done();
    if (target === undefined || listen === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'wan-proxy addresses missing after their checks passed' });

    const proxy = await WanProxy.start({
      target, listen, delayMs, bufferBytes: bufferKib * 1024,
      ...(rateMbit === undefined ? {} : { rateBytesPerSecond: mbitToBytesPerSecond(rateMbit) }),
    }).catch((error: NodeJS.ErrnoException) => {
      throw new FerryError('FERRY_ERR_WAN_PROXY_LISTEN', { address: `${listen.host}:${listen.port}`, detail: error.code ?? error.message }, { cause: error });
    });
    const print = (): void => out(JSON.stringify(statsLine(proxy.stats())));
    // Handlers first: whoever reads the first line may signal at once.
    process.on('SIGUSR1', print);
    let stop: (signal: NodeJS.Signals) => void = () => undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const timer = statsSeconds > 0 ? setInterval(print, statsSeconds * 1000) : undefined;
    const control = controlFromStdin(proxy, (result) => {
      if ('error' in result) out(JSON.stringify(result));
      else if (result.ok === 'stats') print();
      else out(JSON.stringify(result));
    });
    try {
      print();
      log.info({ listen: proxy.address, to: `${target.host}:${target.port}`, delayMs, rateMbit }, 'wan proxy listening');
      const signal = await stopped;
      log.info({ signal }, 'wan proxy stopping');
      await proxy.close();
      print();
      return 0;
    } finally {
      control.stop();
      clearInterval(timer);
      process.off('SIGUSR1', print);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
  },
};

/** The counters with the rate in Mbit/s, as the flags give it. */
function statsLine(stats: WanStats): object {
  const direction = ({ rateBytesPerSecond, ...rest }: WanStats['up']) => ({ ...rest, rateMbit: rateBytesPerSecond === 0 ? null : (rateBytesPerSecond * 8) / 1_000_000 });
  return { ...stats, up: direction(stats.up), down: direction(stats.down) };
}

/** A whole number of ms, 0 included. */
function wholeMs(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  if (!/^\s*\d{1,9}\s*$/.test(value)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes a whole number of ms, 0 or more, got '${value}'` });
  return Number(value);
}

/** A positive decimal number of a flag, or a usage error naming it. */
function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(parsed > 0)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes a number above 0, got '${value}'` });
  return parsed;
}
