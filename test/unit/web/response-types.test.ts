import { describe, expectTypeOf, it } from 'vitest';
import type { ChannelView, PipelineView } from '../../../manager/api/views.ts';
import type { AlarmRecord } from '../../../manager/alarms/alarm-store.ts';
import type { DataSourceView } from '../../../shared/cluster/model.ts';
import type { healthView } from '../../../manager/health-view.ts';
import type { SwitchReadiness } from '../../../manager/switch-readiness.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import type * as Web from '../../../web/src/api/responses.ts';

/**
 * The response shapes the console reads (web/src/api/responses.ts: the routes declare no
 * response schema to generate them from) must be provided by the manager's own types. These
 * checks fail `npm run typecheck` (tsc) when a field the console shows is renamed or retyped.
 */
describe('console response types match the manager', () => {
  it('channels, pipelines, data sources with their health, switch readiness, events and alarms', () => {
    expectTypeOf<PipelineView>().toExtend<Web.PipelineView>();
    expectTypeOf<ChannelView>().toExtend<Web.ChannelView>();
    // The routes add each data source's health to its view (manager/api/routes/datasources.ts).
    expectTypeOf<DataSourceView & { health: ReturnType<typeof healthView> }>().toExtend<Web.DataSourceView>();
    expectTypeOf<SwitchReadiness>().toExtend<Web.SwitchReadiness>();
    expectTypeOf<EventRecord>().toExtend<Web.EventRecord>();
    expectTypeOf<AlarmRecord>().toExtend<Web.AlarmRecord>();
  });
});
