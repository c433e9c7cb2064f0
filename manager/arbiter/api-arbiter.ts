import type { ArbiterContext } from '../../shared/cluster/arbiter/index.ts';
import { EventLog } from '../../shared/cluster/event-log.ts';
import { AlarmEvaluator } from '../alarms/index.ts';
import type { ApiContext } from '../api/context.ts';

/**
 * The arbiter and alarms as the API of any manager (leader or not) uses them: built per
 * request on the current ZooKeeper session, which is replaced after an expiry.
 */

/**
 * An alarm evaluator for manual warnings and clears. Only its store, event and webhook parts
 * are used here; the rules run on the leader (alarm-monitor.ts), which notices clears made
 * through any manager.
 */
export function apiAlarms(ctx: ApiContext, events: EventLog): AlarmEvaluator {
  return new AlarmEvaluator({ zk: ctx.zk(), log: ctx.log, eventLog: events, webhookUrl: ctx.alarmWebhookUrl, by: `manager:${ctx.managerId()}` });
}

/** The arbiter context of one API request; WARNINGs raise a manual alarm per pipeline. */
export function apiArbiter(ctx: ApiContext): ArbiterContext {
  const zk = ctx.zk();
  const events = new EventLog(zk, { log: ctx.log });
  return {
    zk,
    log: ctx.log,
    events,
    ...ctx.arbiter,
    onWarning: async (warning) => {
      if (warning.channel === undefined) return; // an alarm belongs to a pipeline of a channel
      const alarms = apiAlarms(ctx, events);
      for (const pipeline of warning.pipelines) await alarms.raiseManual({ channel: warning.channel, pipeline, by: warning.by, message: warning.reason });
    },
  };
}
