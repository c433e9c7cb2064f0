import { FerryError } from '../shared/errors/index.ts';
import type { Command } from './command.ts';

// Placeholder until the manager process lands (issue #5).
export const managerCommand: Command = {
  name: 'manager',
  summary: 'run a manager process (not yet available)',
  usage: 'Usage: bin/ferry manager (not yet available)',
  run() {
    return Promise.reject(new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'bin/ferry manager is not available yet' }));
  },
};
