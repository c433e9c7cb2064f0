import { Type } from '@sinclair/typebox';

/** The verify job as the API answers it (shared/cluster/verify-jobs.ts VerifyJobView). */

const State = (description: string) => Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')], { description });

const KeyPart = Type.Union([Type.String(), Type.Number(), Type.Object({ hex: Type.String() }, { additionalProperties: false })], { description: 'A key value (keys have no NULLs: a primary key, or a unique key of NOT NULL columns).' });
const Key = Type.Array(KeyPart, { description: 'A row\'s key values in key order; binary values as {hex}.' });

export const VerifyTable = Type.Object({
  table: Type.String({ description: 'The source table, schema.table.' }),
  target: Type.String({ description: 'Where the rules put it on the target.' }),
  rows: Type.Integer({ description: 'Source rows compared.' }),
  missing: Type.Integer({ description: 'Rows the source has and the target lacks.' }),
  extra: Type.Integer({ description: 'Rows the target has and the source does not.' }),
  different: Type.Integer({ description: 'Rows on both whose compared columns differ.' }),
  samples: Type.Object({ missing: Type.Array(Key), extra: Type.Array(Key), different: Type.Array(Key) }, { additionalProperties: false, description: 'A few keys of each kind.' }),
}, { additionalProperties: false });

export const VerifyPipeline = Type.Object({
  pipeline: Type.String(),
  node: Type.Optional(Type.String({ description: 'The node that runs (or ran) this part: the pipeline\'s load side or whole pipeline.' })),
  state: State('queued: not started; running; done: compared; failed: see error.'),
  tables: Type.Array(VerifyTable),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false });

export const VerifyJob = Type.Object({
  id: Type.String({ description: 'job-<sequence>: later jobs have higher ids.' }),
  channel: Type.String(),
  state: State('queued: no pipeline started; running; done: every pipeline compared; failed: a pipeline could not be compared.'),
  requestedAt: Type.String({ description: 'Manager wall clock, ISO 8601.' }),
  startedAt: Type.Optional(Type.String({ description: 'When the first pipeline started (node wall clock).' })),
  finishedAt: Type.Optional(Type.String({ description: 'When the job ended.' })),
  requestedBy: Type.String({ description: 'api:<token name>.' }),
  reason: Type.String(),
  pipelines: Type.Array(VerifyPipeline),
}, { additionalProperties: false, $id: 'VerifyJob', description: 'A verify job of a channel: every pipeline\'s tables compared between source and target.' });

export const VerifyJobList = Type.Object({
  channel: Type.String(),
  jobs: Type.Array(Type.Ref(VerifyJob), { description: 'Newest first.' }),
}, { additionalProperties: false });
