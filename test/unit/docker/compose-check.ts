import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseCommandArgs } from '../../../cli/command.ts';
import { commands } from '../../../cli/main.ts';

/** The repository's root. */
export const REPO = resolve(import.meta.dirname, '..', '..', '..');

export interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  hostname?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, unknown>;
  networks?: string[] | Record<string, unknown>;
  secrets?: string[];
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, Service>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

/** A compose file parsed as Docker Compose reads it (YAML anchors and `<<` merges). */
export function readCompose(path: string, text = readFileSync(path, 'utf8')): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** A service's command as the argv its entrypoint gets: split on blanks, quotes as a shell reads them. */
export function commandArgs(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  if (Array.isArray(command)) return command;
  const args: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const char of command) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= '';
    } else if (/\s/.test(char)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (current !== undefined) args.push(current);
  return args;
}

export function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

export const listOf = (value: string[] | Record<string, unknown> | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : Object.keys(value));

/** Whether a service runs Ferry's image (docker/Dockerfile, whose entrypoint is bin/ferry). */
export function isFerry(service: Service): boolean {
  return service.build?.dockerfile === 'docker/Dockerfile';
}

/** The flags of a Ferry service's command, parsed by the command's own options; throws a usage error naming a flag the CLI does not accept. */
export function ferryCommand(service: Service): { command: string; values: Record<string, string | string[] | boolean | undefined> } {
  const [name, ...argv] = commandArgs(service.command);
  const command = commands.find((c) => c.name === name);
  if (command === undefined) throw new Error(`'${name ?? ''}' is no bin/ferry command`);
  if (command.options === undefined) throw new Error(`bin/ferry ${command.name} declares no options to check its flags against`);
  const { values } = parseCommandArgs(argv, command.options);
  return { command: command.name, values: values as Record<string, string | string[] | boolean | undefined> };
}

/** Sources of a service's bind mounts, as paths in the repository (relative to the compose file's folder). */
export function bindMounts(file: string, service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (source === undefined || target === undefined || !/^\.{1,2}\//.test(source)) return [];
    return [{ source: relative(REPO, join(dirname(file), source)), target }];
  });
}

/**
 * What is wrong with a compose file whatever its deployment: every Ferry service runs a
 * bin/ferry command with flags that command accepts, has what that command refuses to start
 * without (ZooKeeper credentials or --zk-insecure, the admin token), and names ZooKeeper
 * servers, services, networks, volumes and secrets the file defines; every bind-mounted file
 * exists in the repository (`pending` excepted: files another change brings).
 */
export function composeProblems(file: string, compose: ComposeFile, pending: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const zkServices = new Set(Object.entries(services).filter(([, s]) => s.image?.startsWith('zookeeper:') === true).map(([name]) => name));
  for (const [name, service] of Object.entries(services)) {
    for (const dependency of listOf(service.depends_on)) if (!services[dependency]) problems.push(`${name}: depends on '${dependency}', which is no service`);
    for (const network of listOf(service.networks)) if (!compose.networks?.[network]) problems.push(`${name}: network '${network}' is not defined`);
    for (const secret of service.secrets ?? []) if (!compose.secrets?.[secret]) problems.push(`${name}: secret '${secret}' is not defined`);
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source ?? '';
      if (!/^[./]/.test(source) && !compose.volumes?.[source]) problems.push(`${name}: volume '${source}' is not defined`);
    }
    for (const mount of bindMounts(file, service)) {
      if (!existsSync(join(REPO, mount.source)) && !pending.has(mount.source)) problems.push(`${name}: mounts ${mount.source}, which is not in the repository`);
    }
    if (!isFerry(service)) continue;
    let parsed: ReturnType<typeof ferryCommand>;
    try {
      parsed = ferryCommand(service);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    const { command, values } = parsed;
    const env = environmentOf(service);
    if (command === 'manager' || command === 'node') {
      const zk = String(values.zk ?? '');
      for (const server of zk.replace(/\/.*$/, '').split(',')) {
        if (!zkServices.has(server.split(':')[0]!)) problems.push(`${name}: --zk names '${server}', which is no ZooKeeper service`);
      }
      const own = command === 'manager' ? ['FERRY_ZK_AUTH'] : ['FERRY_ZK_NODE_AUTH', 'FERRY_ZK_AUTH'];
      const credentials = own.some((key) => (env[key] ?? '') !== '') || values['zk-auth-file'] !== undefined || values['zk-node-auth-file'] !== undefined;
      if (!credentials && values['zk-insecure'] !== true) problems.push(`${name}: a ${command} without ZooKeeper credentials (${own.join(' or ')}) or --zk-insecure refuses to start`);
    }
    if (command === 'manager') {
      if (values['admin-token'] === undefined && (env.FERRY_ADMIN_TOKEN ?? '') === '') problems.push(`${name}: a manager needs --admin-token or FERRY_ADMIN_TOKEN`);
      // Registered in ZooKeeper under its host name when it listens on every address: nodes and
      // the other manager must resolve it.
      if (values.host === '0.0.0.0' && service.hostname !== name) problems.push(`${name}: listens on 0.0.0.0, so it registers its host name: set hostname: ${name}`);
    }
  }
  return problems;
}
