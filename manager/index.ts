/** The manager process: REST API on every manager, scheduling on the elected leader. */
export { startManager, type ManagerOptions, type RunningManager } from './manager-process.ts';
export type { LeaderDuty, LeaderDutyContext, LeaderDutyFactory } from './leader-duties.ts';
export { simpleScheduler, type SimpleSchedulerOptions } from './scheduler/simple-scheduler.ts';
export { ROLE_ACTIONS, type Action, type Principal } from './api/auth.ts';
export type { ChannelView, PipelineView } from './api/views.ts';
