// The arbiter's actions on a channel: ROLLBACK, RESTART, PAUSE / START / STOP under
// the channel's ZooKeeper lock, WARNING without it. Usable from a manager or a node: they need
// only a ZkClient, a logger and an EventLog.
export { ARBITER_DEFAULTS, type ArbiterAction, type ArbiterCause, type ArbiterContext, type ArbiterOutcome, type ArbiterWarning } from './arbiter-types.ts';
export { pauseChannel, restartChannel, rollbackChannel, setChannelStatus } from './arbiter-actions.ts';
export { raiseWarning, type WarningTarget } from './warning.ts';
export { acknowledgeRollback, awaitRollbackAcks, type AckResult, type RollbackAck } from './rollback-acks.ts';
export { waitOnZk, type WatchFor, type ZkWaitOptions } from './zk-wait.ts';
