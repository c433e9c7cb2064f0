import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../shared/logging.ts';
import { FerryError } from '../shared/errors/index.ts';

/** What a Debian package gives us, and the file that proves it is there. */
interface Requirement {
  what: string;
  packages: string[];
  present: () => boolean;
}

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
export const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
/** Debian's libnetty-java, which the zookeeper package depends on; only a secureClientPort needs it. */
export const NETTY_CODEC_JAR = '/usr/share/java/netty-codec.jar';

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

const SERVER_REQUIREMENTS: Requirement[] = [
  { what: 'ZooKeeper', packages: ['zookeeper'], present: () => existsSync(ZOOKEEPER_JAR) && existsSync(SLF4J_SIMPLE_JAR) },
  { what: 'Java', packages: ['default-jre-headless'], present: () => onPath('java') },
  {
    what: 'MariaDB',
    packages: ['mariadb-server', 'mariadb-client'],
    present: () => onPath('mariadbd') || existsSync('/usr/sbin/mariadbd'),
  },
];

const BROWSER_REQUIREMENT: Requirement = { what: 'Chromium', packages: ['chromium'], present: () => existsSync('/usr/bin/chromium') };

export function mariadbdPath(): string {
  return existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
}

/**
 * Installs the Debian packages the development servers need (and Chromium for the console
 * tests when `browser` is set). As root it runs apt-get; otherwise it fails with one line
 * naming what to install.
 */
export function ensureInstalled(log: Logger, options: { browser?: boolean } = {}): void {
  const wanted = options.browser ? [...SERVER_REQUIREMENTS, BROWSER_REQUIREMENT] : SERVER_REQUIREMENTS;
  const missing = wanted.filter((r) => !r.present());
  if (missing.length === 0) return;
  const packages = missing.flatMap((r) => r.packages);
  const what = missing.map((r) => r.what).join(', ');
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    const error = new FerryError('FERRY_ERR_SERVICES_NOT_INSTALLED', { what, detail: 'not root, or no apt-get' });
    if (missing.some((r) => r.what === 'Java') && missing.length === 1) throw new FerryError('FERRY_ERR_SERVICES_JAVA_MISSING');
    throw error;
  }
  log.info({ packages }, 'installing packages');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
  if (update.status !== 0) throw new FerryError('FERRY_ERR_SERVICES_INSTALL_FAILED', { what, detail: lastLine(update.stderr) });
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, encoding: 'utf8' });
  if (install.status !== 0) throw new FerryError('FERRY_ERR_SERVICES_INSTALL_FAILED', { what, detail: lastLine(install.stderr) });
  const stillMissing = missing.filter((r) => !r.present());
  if (stillMissing.length > 0) {
    throw new FerryError('FERRY_ERR_SERVICES_INSTALL_FAILED', { what, detail: `${stillMissing.map((r) => r.what).join(', ')} still missing after install` });
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
