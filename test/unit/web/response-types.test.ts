import { describe, expectTypeOf, it } from 'vitest';
import type { ChannelView, PipelineView } from '../../../manager/api/views.ts';
import type { AlarmRecord } from '../../../manager/alarms/alarm-store.ts';
import type { DataSourceView } from '../../../shared/cluster/model.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import type * as Web from '../../../web/src/api/responses.ts';

/**
 * The response shapes the console reads (web/src/api/responses.ts: the routes declare no
 * response schema to generate them from) must be provided by the manager's own types. These
 * checks fail `npm run typecheck` (tsc) when a field the console shows is renamed or retyped.
 */
describe('console response types match the manager', () => {
  it('channels, pipelines, data sources, events and alarms', () => {
    expectTypeOf<PipelineView>().toExtend<Web.PipelineView>();
    expectTypeOf<ChannelView>().toExtend<Web.ChannelView>();
    expectTypeOf<DataSourceView>().toExtend<Web.DataSourceView>();
    expectTypeOf<EventRecord>().toExtend<Web.EventRecord>();
    expectTypeOf<AlarmRecord>().toExtend<Web.AlarmRecord>();
  });
});
