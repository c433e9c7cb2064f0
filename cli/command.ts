import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerryError, describeError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';

export interface CommandContext {
  log: Logger;
  /** Where command output (not logs) goes. */
  out: (line: string) => void;
}

/** One `bin/ferry <name>` subcommand. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(argv: string[], context: CommandContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with unknown options refused as a usage error (never silently ignored). */
export function parseCommandArgs<T extends Options>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: describeError(error) }, { cause: error });
  }
}

/** A whole positive number from a flag, or a usage error naming the flag. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes a whole number above 0, got '${value}'` });
  return parsed;
}
