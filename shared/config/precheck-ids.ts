/**
 * Every precheck id, in the order they run and are reported. Here, not beside the checks
 * (node/prechecks), so that the pipeline spec refuses an unknown id in `skipPrechecks` as
 * soon as the configuration is read, in a file and through the API alike.
 */
export const PRECHECK_IDS = [
  'tested_flavor',
  'binlog_format',
  'binlog_row_image',
  'binlog_row_metadata',
  'binlog_row_value_options',
  'server_id',
  'privileges',
  'primary_keys',
  'auto_increment',
  'binlog_retention',
] as const;

export type PrecheckId = (typeof PRECHECK_IDS)[number];
