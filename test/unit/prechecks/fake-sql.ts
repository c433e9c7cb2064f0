import type { SqlClient } from '../../../node/prechecks/index.ts';

/** A scripted statement: rows to return, or an error to throw. */
export type FakeAnswer = Array<Record<string, unknown>> | Error | ((values: unknown[] | undefined) => Array<Record<string, unknown>>);

/**
 * A SqlClient that answers statements by the first matching pattern and records what it was
 * asked; an unscripted statement throws, so a test sees every query the code makes.
 */
export function fakeSql(script: Array<[RegExp, FakeAnswer]>): SqlClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    query(sql: string, values?: unknown[]) {
      asked.push(sql);
      const entry = script.find(([pattern]) => pattern.test(sql));
      if (!entry) return Promise.reject(new Error(`unscripted statement: ${sql}`));
      const answer = entry[1];
      if (answer instanceof Error) return Promise.reject(answer);
      const rows = typeof answer === 'function' ? answer(values) : answer;
      return Promise.resolve([rows, []]);
    },
  };
}

/** Rows of SHOW GLOBAL VARIABLES. */
export const variableRows = (variables: Record<string, string>): Array<Record<string, unknown>> =>
  Object.entries(variables).map(([Variable_name, Value]) => ({ Variable_name, Value }));

export const GOOD_VARIABLES = { binlog_format: 'ROW', binlog_row_image: 'FULL', binlog_row_metadata: 'FULL', server_id: '1', log_bin: 'ON' };
