import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ZkClient } from '../../../shared/zk/zk-client.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { testManagerAccess } from '../../support/zk-identities.ts';

/** Every regular file under `dirs` whose bytes contain `needle` (files that vanish while walking are skipped). */
export async function filesContaining(dirs: readonly string[], needle: string): Promise<{ found: string[]; searched: number }> {
  const bytes = Buffer.from(needle, 'utf8');
  const found: string[] = [];
  let searched = 0;
  // Directories may nest (the run's state is inside the repository's .ferry): each once.
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const content = await readFile(path).catch(() => undefined);
        if (content === undefined) continue;
        searched++;
        if (content.includes(bytes)) found.push(path);
      }
    }
  };
  for (const dir of dirs) await walk(resolve(dir));
  return { found, searched };
}

/** Every znode under `connectString` (its chroot), as `path\tdata` lines: a dump of the tree. */
export async function dumpZooKeeper(connectString: string): Promise<string> {
  // An insider: the managers' credentials, which read every znode (a refusal fails the dump
  // rather than leave a znode out of the search).
  const zk = await ZkClient.connect({ connectString, access: testManagerAccess });
  const lines: string[] = [];
  try {
    const gone = (error: unknown) => {
      if (error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NO_NODE') return undefined;
      throw error;
    };
    const visit = async (path: string): Promise<void> => {
      const data = await zk.getData(path).then((node) => node.data.toString('utf8'), gone);
      if (data === undefined) return;
      lines.push(`${path}\t${data}`);
      const children = (await zk.getChildren(path).catch(gone)) ?? [];
      for (const child of children) await visit(path === '/' ? `/${child}` : `${path}/${child}`);
    };
    await visit('/');
  } finally {
    await zk.close();
  }
  return lines.join('\n');
}
