// The node process of the cluster: what cli/node-command.ts and tests import.
export { NodeAgent, type NodeAgentDeps } from './node-agent.ts';
export { NODE_DEFAULTS, type NodeAgentOptions } from './node-options.ts';
export { RunnerSet, type ManagedRunner, type RunnerFactory, type RunnerFailure } from './runner-set.ts';
export { PipelineControl, type ClusterRunnerFactory, type ClusterRunnerOptions } from './pipeline-control.ts';
export { SessionLease, LEASE_FRACTION, type LeaseSession } from './session-lease.ts';
export { RollbackResponder, type RollbackRunners, type AckWriter } from './rollback-responder.ts';
export { FailureEscalator, type ArbiterActions, type EscalationPolicy } from './failure-escalator.ts';
export { desiredPipelines, assignmentsOf, type ClusterView, type AssignmentEntry, type DesiredPipeline } from './cluster-view.ts';
export { ClusterCache, CACHE_FILE, cacheContent, viewFromCache, type ClusterCacheFile } from './cluster-cache.ts';
export { StatsReporter, managerOrder, STATS_PATH, type HttpPost } from './stats-reporter.ts';
export { statsRecord, positionText } from './stats-record.ts';
