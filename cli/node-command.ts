import { FerryError } from '../shared/errors/index.ts';
import type { Command } from './command.ts';

// Placeholder until the node process lands (issue #5).
export const nodeCommand: Command = {
  name: 'node',
  summary: 'run a node process (not yet available)',
  usage: 'Usage: bin/ferry node (not yet available)',
  run() {
    return Promise.reject(new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'bin/ferry node is not available yet' }));
  },
};
