import { HttpClient } from '../shared/http/http-client.ts';
import { FerryError } from '../shared/errors/index.ts';
import { CA_USAGE, managerClientTls } from './api-tls.ts';
import { UsageProblems, parseCommandArgs, positiveInt, type Command, type CommandOptions } from './command.ts';
import { CtlApiClient, type CtlTransport } from './ctl/api-client.ts';
import { RESOURCES, type VerbFlag } from './ctl/verbs.ts';

const verbsUsage = Object.entries(RESOURCES).flatMap(([resource, verbs]) => Object.entries(verbs).map(([verb, { synopsis }]) => `  ${resource} ${verb}${synopsis === '' ? '' : ` ${synopsis}`}`)).join('\n');

const usage = `Usage: bin/ferry ctl [--manager URL ...] [-o table|json] <resource> <verb> [args]

A command line for people over a cluster's REST API (docs/api.md), beside the console:
tables for people, -o json for scripts (the API's answers as they are). The token comes
from the environment variable FERRY_TOKEN (an API token; its role decides what it may do).

${verbsUsage}

Options:
  --manager URL            a manager's URL (http://host:8080, with or without /api/v1);
                           repeatable: the next is tried when one cannot be reached
                           (default: environment variable FERRY_MANAGER, comma-separated,
                           else http://127.0.0.1:8080)
  -o, --output FORMAT      table (default) or json
${CA_USAGE}
  --reason TEXT            why, recorded in the event log (start, pause, stop, verify,
                           switch, clear)
  --to MEMBER              master or standby (datasources switch, readiness; default: the
                           member not active)
  --force                  switch even when the member is not ready (the active one is lost)
  --limit N                events list: at most N events, newest first (default 100)
  --channel NAME, --type TYPE  events list: only this channel's, only this type

Exit status: 0 done, 1 an error (the manager's error line), 2 a usage error.
`;

const OPTIONS = {
  manager: { type: 'string', multiple: true },
  output: { type: 'string', short: 'o' },
  ca: { type: 'string' },
  reason: { type: 'string' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  limit: { type: 'string' },
  channel: { type: 'string' },
  type: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies CommandOptions;

const VERB_FLAGS: readonly VerbFlag[] = ['reason', 'to', 'force', 'limit', 'channel', 'type'];

/** A manager URL as given (with or without /api/v1, a trailing slash) to its base. */
export function managerBase(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--manager takes an http(s) URL such as http://127.0.0.1:8080, got '${url}'` });
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

export interface CtlEnvironment {
  env: NodeJS.ProcessEnv;
  /** @default an HttpClient with --ca's CA */
  transport?: CtlTransport;
}

/** Runs one ctl command line; output lines go to `out`. Resolves to the exit code; usage and API errors are thrown for main to print. */
export async function runCtl(argv: string[], out: (line: string) => void, { env, transport }: CtlEnvironment): Promise<number> {
  const problems = new UsageProblems();
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true, problems);
  if (values.help === true) {
    out(usage);
    return 0;
  }
  const [resource, verbName, ...args] = positionals;
  const verbs = resource === undefined ? undefined : RESOURCES[resource];
  const verb = verbName === undefined ? undefined : verbs?.[verbName];
  if (resource === undefined) problems.add(`name a resource: ${Object.keys(RESOURCES).join(', ')}`);
  else if (verbs === undefined) problems.add(`unknown resource '${resource}': ${Object.keys(RESOURCES).join(', ')}`);
  else if (verbName === undefined) problems.add(`name what to do with ${resource}: ${Object.keys(verbs).join(', ')}`);
  else if (verb === undefined) problems.add(`${resource} has no verb '${verbName}': ${Object.keys(verbs).join(', ')}`);
  if (verb !== undefined) {
    if (args.length < verb.args.length) problems.add(`${resource} ${verbName!} needs ${verb.args.slice(args.length).join(' ')}`);
    if (args.length > verb.args.length) problems.add(`unexpected argument '${args[verb.args.length]!}'`);
    for (const flag of VERB_FLAGS) if (values[flag] !== undefined && !verb.flags.includes(flag)) problems.add(`${resource} ${verbName!} takes no --${flag}`);
  }
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') problems.add(`-o takes table or json, got '${output}'`);
  if (values.limit !== undefined) problems.check(() => positiveInt(values.limit, '--limit', 100), 100);
  const given = values.manager ?? (env.FERRY_MANAGER ? env.FERRY_MANAGER.split(',').map((url) => url.trim()).filter((url) => url !== '') : ['http://127.0.0.1:8080']);
  const managers = given.map((url) => problems.check(() => managerBase(url), url));
  const token = env.FERRY_TOKEN;
  if (token === undefined || token === '') problems.add('set FERRY_TOKEN to an API token (the manager\'s --admin-token, or one made with POST /api/v1/tokens)');
  problems.done();

  const client = transport === undefined ? new HttpClient(managerClientTls(values.ca, 'ctl')) : undefined;
  try {
    const api = new CtlApiClient(managers, token!, transport ?? client!);
    const flags = Object.fromEntries(VERB_FLAGS.filter((flag) => values[flag] !== undefined).map((flag) => [flag, values[flag]!]));
    const result = await verb!.run(api, { args, flags });
    if (output === 'json') {
      if (result.json !== undefined) out(JSON.stringify(result.json, null, 2));
    } else {
      out(result.table);
    }
    return 0;
  } finally {
    client?.close();
  }
}

export const ctlCommand: Command = {
  name: 'ctl',
  summary: 'a command line for people over the REST API: channels, datasources, nodes, events, alarms',
  usage,
  options: OPTIONS,
  run: (argv, { out }) => runCtl(argv, out, { env: process.env }),
};
