import { ConfigStore } from '../shared/cluster/config-store.ts';
import { managerAccess } from '../shared/cluster/zk-access.ts';
import type { Logger } from '../shared/logging.ts';
import { FerryError } from '../shared/errors/index.ts';
import { addKeyToFile, newKeyLine, processKeys, readKeyring, resealDataSources } from '../shared/secrets/index.ts';
import { ZkClient } from '../shared/zk/zk-client.ts';
import { zkConnectStringProblem } from '../shared/zk/connect-string.ts';
import { UsageProblems, parseCommandArgs, type Command } from './command.ts';
import { ZK_AUTH_OPTIONS, ZK_AUTH_USAGE_MANAGER, managerZkAuth } from './zk-auth-flags.ts';
import { ZK_TLS_FLAGS, ZK_TLS_USAGE, zkTlsFromFlags } from './zk-tls-flags.ts';

const usage = `Usage: bin/ferry secrets new-key [FILE]
       bin/ferry secrets rotate --zk HOST:PORT[,HOST:PORT...][/CHROOT] [--secret-key-file FILE]
                                [ZooKeeper access and TLS flags, as a manager's]

Data source passwords are sealed (AES-256-GCM) in ZooKeeper and in node caches with the keys
of a key file: one key per line, 32 random bytes in base64; the first key seals, every key
opens. Managers and nodes take it from --secret-key-file or FERRY_SECRET_KEY_FILE and read it
again when it changes. Only its owner may read it (chmod 600), or it is refused.

  new-key FILE   puts a new key first in FILE (created with mode 0600 when missing), keeping
                 the keys already there; prints the new key's id
  new-key        prints a new key line on stdout
  rotate         seals every data source password again under the first key of the key file
                 (clear-text ones too), through the ordinary configuration edit: nodes refresh
                 and keep running. Afterwards older keys may leave the file.

Rotation, step by step (README.md, Secrets at rest):
  1. bin/ferry secrets new-key FILE, then copy FILE to every manager and node
  2. bin/ferry secrets rotate --zk ... --secret-key-file FILE
  3. remove the old key (the last line) from FILE everywhere

rotate connects to ZooKeeper as a manager does (it rewrites data sources):
${ZK_AUTH_USAGE_MANAGER}${ZK_TLS_USAGE}`;

async function rotate(argv: string[], out: (line: string) => void, log: Logger): Promise<number> {
  const problems = new UsageProblems();
  const { values } = parseCommandArgs(argv, { zk: { type: 'string' }, 'secret-key-file': { type: 'string' }, ...ZK_AUTH_OPTIONS, ...ZK_TLS_FLAGS }, false, problems);
  if (values.zk === undefined || values.zk.trim() === '') problems.add('--zk is required (host:port[,host:port...][/chroot])');
  else {
    const bad = zkConnectStringProblem(values.zk);
    if (bad !== undefined) problems.add(`--zk ${bad}`);
  }
  const zkTls = zkTlsFromFlags(values);
  for (const problem of zkTls.problems) problems.add(problem);
  problems.done();
  const { path } = processKeys(values['secret-key-file']);
  if (path === undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'give the key file with --secret-key-file FILE or FERRY_SECRET_KEY_FILE' });
  const keyring = readKeyring(path);
  // The managers' identity: data sources are the managers' to write (README, ZooKeeper access).
  const zkAuth = managerZkAuth(values, process.env, log);
  const zk = await ZkClient.connect({ connectString: values.zk!, connectTimeoutMs: 15_000, ...(zkAuth ? { access: managerAccess(zkAuth) } : {}), ...(zkTls.tls ? { tls: zkTls.tls } : {}), log });
  try {
    const result = await resealDataSources(await ConfigStore.open(zk), keyring, 'all');
    out(`sealed ${result.resealed.length} data source password(s) again under key ${keyring.sealingKeyId}${result.resealed.length > 0 ? ` (${result.resealed.join(', ')})` : ''}; all ${result.withPassword} are now under it (configuration epoch ${result.epoch})`);
    return 0;
  } finally {
    await zk.close();
  }
}

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'make secret keys and rotate the keys that seal data source passwords',
  usage,
  async run(argv, { out, log }) {
    const [action, ...rest] = argv;
    if (action === undefined || action === '--help' || action === '-h') {
      out(usage);
      return action === undefined ? 2 : 0;
    }
    if (action === 'new-key') {
      const { positionals } = parseCommandArgs(rest, {}, true);
      if (positionals.length > 1) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'new-key takes at most one FILE' });
      const file = positionals[0];
      if (file === undefined) {
        out(newKeyLine());
        return 0;
      }
      const keyId = addKeyToFile(file);
      out(`key ${keyId} is now first in ${file} (it seals; the keys after it still open)`);
      return 0;
    }
    if (action === 'rotate') return rotate(rest, out, log);
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `unknown secrets action '${action}' (new-key, rotate)` });
  },
};
