/** The manager process: REST API on every manager, scheduling on the elected leader. */
export { startManager, type ManagerOptions, type RunningManager } from './manager-process.ts';
export type { LeaderDuty, LeaderDutyContext, LeaderDutyFactory } from './leader-duties.ts';
export { scheduler, type SchedulerOptions, type ChannelRestart } from './scheduler/scheduler.ts';
export { PLACEMENT_POLICY_NAMES, DEFAULT_PLACEMENT_POLICY, type PlacementPolicy, type PlacementContext, type PlacementPolicyName } from './scheduler/policies/index.ts';
export { ROLE_ACTIONS, type Action, type Principal } from './api/auth.ts';
export type { ChannelView, PipelineView } from './api/views.ts';
