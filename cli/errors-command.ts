import { ERROR_CODES, errorsMarkdown } from '../shared/errors/index.ts';
import { parseCommandArgs, type Command } from './command.ts';

const usage = `Usage: bin/ferry errors [CODE] [--markdown]

Lists Ferry's error codes with what each means and what to do; with CODE, only that one.
  --markdown   print docs/errors.md
`;

export const errorsCommand: Command = {
  name: 'errors',
  summary: 'explain error codes',
  usage,
  run(argv, { out }) {
    const { values, positionals } = parseCommandArgs(argv, { markdown: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
    if (values.help) {
      out(usage);
      return Promise.resolve(0);
    }
    if (values.markdown) {
      out(errorsMarkdown().trimEnd());
      return Promise.resolve(0);
    }
    const wanted = positionals[0]?.toUpperCase();
    const entries = Object.entries(ERROR_CODES).filter(([code]) => wanted === undefined || code === wanted);
    if (entries.length === 0) {
      out(`unknown code ${positionals[0]}`);
      return Promise.resolve(1);
    }
    for (const [code, spec] of entries) out(`${code} (${spec.scope}${spec.retryable ? ', retryable' : ''})\n  ${spec.message}\n  what to do: ${spec.workaround}`);
    return Promise.resolve(0);
  },
};
