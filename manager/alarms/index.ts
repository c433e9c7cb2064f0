// The leader manager's alarms: rules over node reports, active alarms in ZooKeeper, webhook.
export {
  AlarmRules, DEFAULT_ALARM_RULES, MANUAL_RULE, validateRules,
  type Alarm, type AlarmChanges, type AlarmRule, type AlarmSeverity, type LagRule, type NoProgressRule, type Observation, type RepeatedErrorsRule, type ResyncRule, type StoppedOnRule,
} from './alarm-rules.ts';
export { AlarmStore, alarmNodeName, type AlarmRecord } from './alarm-store.ts';
export { AlarmWebhook, type AlarmState, type AlarmWebhookOptions, type WebhookPayload } from './webhook.ts';
export { AlarmEvaluator, type AlarmEvaluatorOptions, type ManualWarning } from './alarm-evaluator.ts';
