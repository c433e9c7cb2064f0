import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerryError, describeError, isFerryError } from '../shared/errors/index.ts';
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
  /** The flags the command accepts, where it declares them as one object (manager, node, run). */
  options?: CommandOptions;
  /** Resolves to the process exit code. */
  run(argv: string[], context: CommandContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
/** A command's flags, as parseArgs takes them. */
export type CommandOptions = Options;

/**
 * parseArgs with every problem of the command line reported at once, as a configuration file's
 * are: unknown options, options missing their value, values given to switches, stray
 * arguments. A negative number is taken as the value of the option before it (`--parallel -1`),
 * so that the option's own check words the refusal rather than the parser.
 */
export function parseCommandArgs<T extends Options>(argv: string[], options: T, allowPositionals = false, collect?: UsageProblems) {
  const args = negativeValuesInline(argv, options);
  const problems: string[] = [];
  /** Arguments left out of the final parse when the caller collects problems. */
  const drop = new Set<number>();
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1];
    if (token.kind === 'positional') {
      // The value of an unknown option ('--capcity 3') is not a stray argument of its own.
      const valueOfUnknown = previous?.kind === 'option' && options[previous.name] === undefined && previous.inlineValue === undefined;
      if (!allowPositionals && !valueOfUnknown) problems.push(`unexpected argument '${token.value}'`);
      if (!allowPositionals || valueOfUnknown) drop.add(token.index);
      return;
    }
    if (token.kind !== 'option') return;
    const spec = options[token.name];
    const problem = spec === undefined
      ? `unknown option '${token.rawName}'`
      : spec.type === 'string' && token.value === undefined
        ? `option '${token.rawName}' needs a value`
        : spec.type === 'string' && token.inlineValue === false && token.value?.startsWith('-') === true
          ? `option '${token.rawName}' needs a value, got the option '${token.value}'`
          : spec.type === 'boolean' && token.inlineValue === true ? `option '${token.rawName}' takes no value` : undefined;
    if (problem === undefined) return;
    problems.push(problem);
    drop.add(token.index);
    if (token.inlineValue === false) drop.add(token.index + 1);
  });
  if (problems.length > 0 && collect === undefined) throw usageError(problems);
  if (problems.length > 0) {
    // The caller reports these with its own checks of the values: keep only what is well formed.
    for (const problem of problems) collect?.add(problem);
  }
  try {
    return parseArgs({ args: args.filter((_, i) => !drop.has(i)), options, allowPositionals, strict: true });
  } catch (error) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: describeError(error) }, { cause: error });
  }
}

/** `--flag -1` as `--flag=-1` when --flag takes a value. */
function negativeValuesInline(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && !name.includes('=') && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** One FERRY_ERR_CLI_USAGE listing every problem. */
export function usageError(problems: readonly string[]): FerryError {
  return new FerryError('FERRY_ERR_CLI_USAGE', { detail: problems.join('; '), ...(problems.length > 1 ? { problems: [...problems] } : {}) });
}

/**
 * Collects the problems of a command's flag values, so that all of them are reported in one
 * error: each check runs, and a refused value gives way to its fallback until `done`.
 */
export class UsageProblems {
  private readonly problems: string[] = [];

  /** The value `read` returns, or `fallback` when it throws a usage error (recorded). */
  check<V>(read: () => V, fallback: V): V {
    try {
      return read();
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_CLI_USAGE')) throw error;
      this.problems.push(error.details.detail as string);
      return fallback;
    }
  }

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one usage error listing every problem seen, if any. */
  done(): void {
    if (this.problems.length > 0) throw usageError(this.problems);
  }
}

/** A whole positive number from a flag, or a usage error naming the flag. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${flag} takes a whole number above 0, got '${value}'` });
  return parsed;
}
