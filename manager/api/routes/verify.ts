import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listJobIds, readJob, viewOfStored, JOB_ID_PATTERN, VERIFY_JOBS_KEPT, type VerifyJobView } from '../../../shared/cluster/verify-jobs.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { API, docs, requester, type ApiContext } from '../context.ts';
import { NameParams } from '../schemas.ts';
import { VerifyJob, VerifyJobList } from '../verify-schemas.ts';
import { startVerifyJob } from '../../verify/start-verify-job.ts';
import { ReasonBody, emptyBodyAsObject } from './arbiter.ts';

const tag = 'channels';
const JobParams = Type.Object({
  name: NameParams.properties.name,
  jobId: Type.String({ pattern: JOB_ID_PATTERN, description: 'The job, as POST answered it (job-0000000012).' }),
}, { additionalProperties: false });

/**
 * /api/v1/channels/{name}/verify: verify jobs. The manager only writes the job into ZooKeeper
 * (shared/cluster/verify-jobs.ts): the node that holds each pipeline's load side (or the whole
 * pipeline) runs its part and writes the result back, and the leader fails the parts of nodes
 * that vanished and ends the job (manager/verify/verify-monitor.ts).
 */
export function verifyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const channelPipelines = async (name: string): Promise<string[]> => {
    const channel = (await ctx.store().read()).channels[name];
    if (!channel) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name });
    return channel.value.pipelines.map((pipeline) => pipeline.name);
  };

  app.post<{ Params: { name: string } }>(`${API}/channels/:name/verify`, {
    config: { action: 'channel.run' },
    preValidation: emptyBodyAsObject,
    schema: { ...docs(tag, 'Start a verify job of every pipeline of the channel (202 with the job; it runs on the pipelines\' nodes)'), params: NameParams, body: ReasonBody, response: { 202: Type.Ref(VerifyJob) } },
  }, async (request, reply) => {
    const { name } = request.params;
    const pipelines = await channelPipelines(name);
    const zk = ctx.zk();
    const reason = (request.body as { reason?: string }).reason ?? 'verify requested through the API';
    const id = await startVerifyJob(zk, { channel: name, pipelines, requestedBy: requester(request), reason });
    request.log.info({ channel: name, job: id, by: request.principal?.name }, 'verify job requested');
    const job = await readJob(zk, name, id);
    if (!job) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'verify job', name: id });
    return reply.code(202).send(viewOfStored(job));
  });

  app.get<{ Params: { name: string } }>(`${API}/channels/:name/verify`, {
    config: { action: 'read' },
    schema: { ...docs(tag, `The channel's verify jobs, newest first (the last ${VERIFY_JOBS_KEPT} are kept)`), params: NameParams, response: { 200: VerifyJobList } },
  }, async (request) => {
    const { name } = request.params;
    await channelPipelines(name);
    const zk = ctx.zk();
    const jobs: VerifyJobView[] = [];
    for (const id of (await listJobIds(zk, name)).slice(0, VERIFY_JOBS_KEPT)) {
      const job = await readJob(zk, name, id);
      if (job) jobs.push(viewOfStored(job));
    }
    return { channel: name, jobs };
  });

  app.get<{ Params: { name: string; jobId: string } }>(`${API}/channels/:name/verify/:jobId`, {
    config: { action: 'read' },
    schema: { ...docs(tag, 'One verify job: its state and, per pipeline and table, rows compared, missing, extra, different'), params: JobParams, response: { 200: Type.Ref(VerifyJob) } },
  }, async (request) => {
    const { name, jobId } = request.params;
    await channelPipelines(name);
    const job = await readJob(ctx.zk(), name, jobId);
    if (!job) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'verify job', name: jobId });
    return viewOfStored(job);
  });
}
