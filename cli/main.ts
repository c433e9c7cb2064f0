import { FerryError, describeError, isFerryError } from '../shared/errors/index.ts';
import { createLogger } from '../shared/logging.ts';
import type { Command, CommandContext } from './command.ts';
import { benchCommand } from './bench-command.ts';
import { chaosCommand } from './chaos-command.ts';
import { ctlCommand } from './ctl-command.ts';
import { demoCommand } from './demo-command.ts';
import { errorsCommand } from './errors-command.ts';
import { managerCommand } from './manager-command.ts';
import { nodeCommand } from './node-command.ts';
import { runCommand } from './run-command.ts';
import { secretsCommand } from './secrets-command.ts';
import { servicesCommand } from './services-command.ts';
import { verifyCommand } from './verify-command.ts';
import { wanProxyCommand } from './wan-proxy-command.ts';

/** Every `bin/ferry` subcommand (the docker test checks compose files' commands against them). */
export const commands: Command[] = [runCommand, managerCommand, nodeCommand, ctlCommand, servicesCommand, secretsCommand, demoCommand, benchCommand, chaosCommand, verifyCommand, wanProxyCommand, errorsCommand];

function mainUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: bin/ferry <command> [options]',
    '',
    'Ferry keeps target MySQL-family databases in step with source databases from the binlog.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'bin/ferry <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs one command line; never throws: errors become one line on stderr and exit code 1 or 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const context: CommandContext = { log: createLogger(), out: (line) => process.stdout.write(`${line}\n`) };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.out(mainUsage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `unknown command '${name}'` });
    return await command.run(rest, context);
  } catch (error) {
    if (isFerryError(error)) {
      process.stderr.write(`ferry: ${error.toLine()}\n`);
      return error.code === 'FERRY_ERR_CLI_USAGE' ? 2 : 1;
    }
    process.stderr.write(`ferry: ${new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }).toLine()}\n`);
    context.log.error({ err: error }, 'unexpected error');
    return 1;
  }
}
