/** The audit log: every API write (and failed sign-in), in ZooKeeper and optionally a file. */
export { AuditRecorder, type AuditRecorderOptions } from './audit-recorder.ts';
export { AuditFile } from './audit-file.ts';
export { AUDIT_RETENTION, listAuditEntries, pruneAuditLog, type AuditPage, type AuditQuery, type AuditRetention } from './audit-log.ts';
export { redactSecrets, type AuditEntry } from './audit-entry.ts';
