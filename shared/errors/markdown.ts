import { ERROR_CODES } from './codes.ts';

/** docs/errors.md, rendered from the registry (a unit test keeps the file in step). */
export function errorsMarkdown(): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = Object.entries(ERROR_CODES).map(
    ([code, spec]) => `| \`${code}\` | ${escape(spec.message)} | ${spec.scope} | ${spec.retryable ? 'yes' : 'no'} | ${spec.http} | ${escape(spec.workaround)} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error Ferry raises on purpose carries one of these codes (`shared/errors/codes.ts`).',
    'Scripts should branch on the code, never on the message. `bin/ferry errors` prints this table;',
    'regenerate this file with `bin/ferry errors --markdown > docs/errors.md`.',
    '',
    '| code | message | scope | retryable | HTTP | what to do |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
