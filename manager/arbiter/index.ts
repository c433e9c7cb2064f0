// The manager's side of the arbiter: the alarm duty of the leader, and the arbiter
// and alarms as the API uses them. The actions themselves are in shared/cluster/arbiter.
export { alarmMonitor, type AlarmMonitorOptions } from './alarm-monitor.ts';
export { apiAlarms, apiArbiter } from './api-arbiter.ts';
