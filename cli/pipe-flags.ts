import type { FerryError } from '../shared/errors/index.ts';
import { pipeTls, type PipeTls } from '../node/pipe/pipe-tls.ts';
import { hostPortFlag } from './host-port-flag.ts';

/** The node's flags for split pipelines' node-to-node pipe. */
export const PIPE_FLAGS = {
  'pipe-listen': { type: 'string' },
  'pipe-advertise': { type: 'string' },
  'pipe-tls-cert': { type: 'string' },
  'pipe-tls-key': { type: 'string' },
  'pipe-ca': { type: 'string' },
} as const;

export const PIPE_USAGE = `
Split pipelines (source and target in different datacenters; docs/split-pipelines.md):
  --pipe-listen HOST:PORT  serve the node-to-node pipe here; only such a node takes the load
                           side (Transform, Load) of a pipeline whose source is in another DC
  --pipe-advertise HOST:PORT  the address select nodes dial (NAT, proxies; default: the
                           listen address)
  --pipe-tls-cert FILE, --pipe-tls-key FILE
                           TLS on the pipe, both ways (one certificate serves and dials)
  --pipe-ca FILE           CA of the other nodes' pipe certificates: mutual TLS (without it
                           the system's CAs are trusted and no client certificate is asked)
`;

type Values = Partial<Record<keyof typeof PIPE_FLAGS, string>>;

export interface PipeSettings {
  /** Where to listen; absent: this node serves no pipe. */
  listen?: { host: string; port: number };
  /** The address in the node record (other nodes dial it). */
  advertise?: string;
  tls?: PipeTls;
}

/** The pipe settings from the flags, certificate files read and checked now; every problem at once. */
export function pipeFromFlags(values: Values): { settings: PipeSettings; problems: string[] } {
  const problems: string[] = [];
  const settings: PipeSettings = {};
  const listen = values['pipe-listen'];
  const advertise = values['pipe-advertise'];
  const attempt = (work: () => void) => {
    try {
      work();
    } catch (error) {
      problems.push((error as FerryError).message);
    }
  };
  if (listen === undefined && advertise !== undefined) problems.push('--pipe-advertise needs --pipe-listen');
  if (listen !== undefined) {
    attempt(() => {
      const bound = hostPortFlag(listen, '--pipe-listen', true);
      settings.listen = bound;
      if (advertise !== undefined) settings.advertise = formatHostPort(hostPortFlag(advertise, '--pipe-advertise'));
      // Port 0 or a wildcard host is no address another node can dial.
      else if (bound.port === 0 || ['0.0.0.0', '::'].includes(bound.host)) problems.push('--pipe-listen with port 0 or a wildcard host needs --pipe-advertise HOST:PORT (the address other nodes dial)');
      else settings.advertise = listen.trim();
    });
  }
  attempt(() => {
    const tls = pipeTls({ cert: values['pipe-tls-cert'], key: values['pipe-tls-key'], ca: values['pipe-ca'] });
    if (tls !== undefined) settings.tls = tls;
  });
  return { settings, problems };
}

function formatHostPort(address: { host: string; port: number }): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
