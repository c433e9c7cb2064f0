import type { ChannelView } from '../../manager/index.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { CtlApiClient } from './api-client.ts';
import { alarmsTable, channelDetail, channelsTable, dataSourceDetail, dataSourcesTable, eventsTable, historyTable, nodesTable, readinessDetail, verifyJobDetail, type AlarmAnswer, type ClusterAnswer, type DataSourceAnswer, type EventAnswer, type ReadinessAnswer, type VerifyJobAnswer } from './render.ts';

/** The flags a verb may take beside the global ones. */
export type VerbFlag = 'reason' | 'to' | 'force' | 'limit' | 'channel' | 'type';

export interface VerbInput {
  /** Positional arguments after `<resource> <verb>`. */
  args: string[];
  flags: Partial<Record<VerbFlag, string | boolean>>;
}

/** What a verb answered: the API's JSON (for -o json; undefined for a 204) and the table for people. */
export interface VerbOutput {
  json: unknown;
  table: string;
}

export interface Verb {
  /** `NAME`, `GROUPKEY [--to MEMBER]`: shown in the usage. */
  synopsis: string;
  /** Positional arguments, by name. */
  args: string[];
  flags: VerbFlag[];
  run(api: CtlApiClient, input: VerbInput): Promise<VerbOutput>;
}

const part = (value: string) => encodeURIComponent(value);
const reasonBody = (flags: VerbInput['flags']) => (typeof flags.reason === 'string' ? { reason: flags.reason } : undefined);

function channelAction(action: 'start' | 'pause' | 'stop'): Verb {
  return {
    synopsis: 'NAME [--reason TEXT]', args: ['NAME'], flags: ['reason'],
    async run(api, { args, flags }) {
      const { body } = await api.post(`/channels/${part(args[0]!)}/${action}`, reasonBody(flags));
      return { json: body, table: channelDetail(body as ChannelView) };
    },
  };
}

/** Configuration history (GET /{kind}/{name}/history, issue 18): who changed what, in the order the API gives. */
function history(kind: 'channels' | 'datasources', arg: string): Verb {
  return {
    synopsis: arg, args: [arg], flags: [],
    async run(api, { args }) {
      const { body } = await api.get(`/${kind}/${part(args[0]!)}/history`);
      return { json: body, table: historyTable(body) };
    },
  };
}

/** Restores a version (POST /{kind}/{name}/revert, admin): the spec as it was, validated as an edit. */
function revert(kind: 'channels' | 'datasources', arg: string): Verb {
  return {
    synopsis: `${arg} VERSION [--reason TEXT]`, args: [arg, 'VERSION'], flags: ['reason'],
    async run(api, { args, flags }) {
      const version = args[1]!;
      if (!/^[1-9]\d{0,14}$/.test(version)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `VERSION takes a version number from '${kind} history', got '${version}'` });
      const { body } = await api.post(`/${kind}/${part(args[0]!)}/revert`, { version: Number(version), ...reasonBody(flags) });
      return { json: body, table: kind === 'channels' ? channelDetail(body as ChannelView) : dataSourceDetail(body as DataSourceAnswer) };
    },
  };
}

const MEMBERS = ['master', 'standby'];

function member(flags: VerbInput['flags']): string | undefined {
  const to = flags.to;
  if (to === undefined) return undefined;
  if (typeof to !== 'string' || !MEMBERS.includes(to)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--to takes master or standby, got '${String(to)}'` });
  return to;
}

/** `bin/ferry ctl <resource> <verb>`: each over the REST API routes of docs/api.md. */
export const RESOURCES: Record<string, Record<string, Verb>> = {
  channels: {
    list: {
      synopsis: '', args: [], flags: [],
      async run(api) {
        const { body } = await api.get('/channels');
        return { json: body, table: channelsTable(body as ChannelView[]) };
      },
    },
    get: {
      synopsis: 'NAME', args: ['NAME'], flags: [],
      async run(api, { args }) {
        const { body } = await api.get(`/channels/${part(args[0]!)}`);
        return { json: body, table: channelDetail(body as ChannelView) };
      },
    },
    start: channelAction('start'),
    pause: channelAction('pause'),
    stop: channelAction('stop'),
    history: history('channels', 'NAME'),
    revert: revert('channels', 'NAME'),
    verify: {
      synopsis: 'NAME [--reason TEXT]', args: ['NAME'], flags: ['reason'],
      async run(api, { args, flags }) {
        const { body } = await api.post(`/channels/${part(args[0]!)}/verify`, reasonBody(flags));
        return { json: body, table: verifyJobDetail(body as VerifyJobAnswer) };
      },
    },
  },
  datasources: {
    list: {
      synopsis: '', args: [], flags: [],
      async run(api) {
        const { body } = await api.get('/datasources');
        return { json: body, table: dataSourcesTable(body as DataSourceAnswer[]) };
      },
    },
    get: {
      synopsis: 'GROUPKEY', args: ['GROUPKEY'], flags: [],
      async run(api, { args }) {
        const { body } = await api.get(`/datasources/${part(args[0]!)}`);
        return { json: body, table: dataSourceDetail(body as DataSourceAnswer) };
      },
    },
    history: history('datasources', 'GROUPKEY'),
    revert: revert('datasources', 'GROUPKEY'),
    readiness: {
      synopsis: 'GROUPKEY [--to master|standby]', args: ['GROUPKEY'], flags: ['to'],
      async run(api, { args, flags }) {
        const to = member(flags);
        const { body } = await api.get(`/datasources/${part(args[0]!)}/switch-readiness${to === undefined ? '' : `?to=${to}`}`);
        return { json: body, table: readinessDetail(body as ReadinessAnswer) };
      },
    },
    switch: {
      synopsis: 'GROUPKEY [--to master|standby] [--reason TEXT] [--force]', args: ['GROUPKEY'], flags: ['to', 'reason', 'force'],
      async run(api, { args, flags }) {
        const groupKey = part(args[0]!);
        // The API needs the member; without --to, the one not active now (what the console's button offers).
        const to = member(flags) ?? (((await api.get(`/datasources/${groupKey}`)).body as DataSourceAnswer).active === 'standby' ? 'master' : 'standby');
        const { body } = await api.post(`/datasources/${groupKey}/switch`, { to, ...reasonBody(flags), ...(flags.force === true ? { force: true } : {}) });
        return { json: body, table: dataSourceDetail(body as DataSourceAnswer) };
      },
    },
  },
  nodes: {
    list: {
      synopsis: '', args: [], flags: [],
      async run(api) {
        const { body } = await api.get('/cluster');
        return { json: body, table: nodesTable(body as ClusterAnswer) };
      },
    },
  },
  events: {
    list: {
      synopsis: '[--limit N] [--channel NAME] [--type TYPE]', args: [], flags: ['limit', 'channel', 'type'],
      async run(api, { flags }) {
        const query = new URLSearchParams();
        for (const key of ['limit', 'channel', 'type'] as const) if (typeof flags[key] === 'string') query.set(key, flags[key]);
        const { body } = await api.get(`/events${query.size > 0 ? `?${query.toString()}` : ''}`);
        return { json: body, table: eventsTable(body as EventAnswer[]) };
      },
    },
  },
  alarms: {
    list: {
      synopsis: '', args: [], flags: [],
      async run(api) {
        const { body } = await api.get('/alarms');
        return { json: body, table: alarmsTable(body as AlarmAnswer[]) };
      },
    },
    clear: {
      synopsis: 'ID [--reason TEXT]', args: ['ID'], flags: ['reason'],
      async run(api, { args, flags }) {
        await api.post(`/alarms/${part(args[0]!)}/clear`, reasonBody(flags));
        return { json: undefined, table: `alarm ${args[0]!} cleared` };
      },
    },
  },
};
