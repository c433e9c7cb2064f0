import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO, bindMounts, commandArgs, composeProblems, environmentOf, ferryCommand, isFerry, listOf, readCompose, type ComposeFile, type Service } from './compose-check.ts';

/**
 * No container engine runs on the development machines, so the compose files are checked
 * here: their structure, and that every bin/ferry command and flag in them is one the CLI
 * accepts (parsed with each command's own options, so a misspelt flag fails).
 */

const TWO_DC = join(REPO, 'docker/two-dc/compose.yaml');
const SINGLE = join(REPO, 'docker/compose.yaml');
/** Written by the monitoring change, referenced here by path (README.md of docker/two-dc). */
const MONITORING = new Set(['monitoring/prometheus/ferry-alerts.yml', 'monitoring/grafana/ferry-dashboard.json']);

const twoDcText = readFileSync(TWO_DC, 'utf8');
const twoDc = readCompose(TWO_DC, twoDcText);

const byCommand = (compose: ComposeFile, command: string) => Object.entries(compose.services).filter(([, s]) => isFerry(s) && commandArgs(s.command)[0] === command);
const sqlOf = (service: Service) => bindMounts(TWO_DC, service).filter((m) => m.source.endsWith('.sql')).map((m) => readFileSync(join(REPO, m.source), 'utf8')).join('\n');
/** `--name=value` flags of a MariaDB service's command. */
const mysqldFlags = (service: Service) => Object.fromEntries(commandArgs(service.command).map((arg) => arg.replace(/^--/, '').split('=') as [string, string?]).map(([k, v]) => [k.replace(/_/g, '-'), v ?? 'ON']));

describe('docker/two-dc/compose.yaml', () => {
  it('is consistent: commands, flags, credentials, services, networks and mounted files', () => {
    expect(composeProblems(TWO_DC, twoDc, MONITORING)).toEqual([]);
  });

  it('has a ZooKeeper ensemble of three whose ids and server lists agree', () => {
    const zks = Object.entries(twoDc.services).filter(([, s]) => s.image?.startsWith('zookeeper:') === true);
    expect(zks.map(([name]) => name)).toEqual(['zk1', 'zk2', 'zk3']);
    const ids = zks.map(([, s]) => environmentOf(s).ZOO_MY_ID);
    expect(new Set(ids).size).toBe(3);
    for (const [name, service] of zks) {
      const env = environmentOf(service);
      const servers = env.ZOO_SERVERS!.split(/\s+/).map((entry) => /^server\.(\d+)=([^:]+):(\d+):(\d+);(\d+)$/.exec(entry));
      expect(servers.every(Boolean), `${name}: ZOO_SERVERS entries`).toBe(true);
      // Every member lists every member, each under its own id and service name.
      expect(servers.map((m) => [m![1], m![2]]), name).toEqual(zks.map(([peer, s]) => [environmentOf(s).ZOO_MY_ID, peer]));
    }
    // Every Ferry process connects to the whole ensemble, on the client port it lists.
    for (const [name, service] of Object.entries(twoDc.services).filter(([, s]) => isFerry(s))) {
      expect(String(ferryCommand(service).values.zk), name).toBe('zk1:2181,zk2:2181,zk3:2181');
    }
  });

  it('runs a source with a standby replicating from it natively in dc-a, and a target in dc-b', () => {
    const { source, standby, target } = twoDc.services;
    expect(listOf(source!.networks)).toEqual(['dc-a']);
    expect(listOf(standby!.networks)).toEqual(['dc-a']);
    expect(listOf(target!.networks)).toEqual(['dc-b']);
    const flags = { source: mysqldFlags(source!), standby: mysqldFlags(standby!), target: mysqldFlags(target!) };
    // What services/mariadb.ts sets for a source, and what a standby must log to be read after a switch.
    for (const side of ['source', 'standby'] as const) {
      expect(flags[side], side).toMatchObject({ 'log-bin': 'mysql-bin', 'log-slave-updates': 'ON', 'binlog-format': 'ROW', 'binlog-row-image': 'FULL', 'binlog-row-metadata': 'FULL' });
    }
    const servers = Object.values(flags);
    expect(new Set(servers.map((f) => f['server-id'])).size).toBe(3);
    expect(new Set(servers.map((f) => f['gtid-domain-id'])).size).toBe(3);
    const replication = /CHANGE MASTER TO\s+MASTER_HOST\s*=\s*'([^']+)',\s*MASTER_PORT\s*=\s*(\d+),\s*MASTER_USER\s*=\s*'([^']+)',\s*MASTER_PASSWORD\s*=\s*'([^']+)',\s*MASTER_USE_GTID\s*=\s*slave_pos/i.exec(sqlOf(standby!));
    expect(replication?.slice(1, 3)).toEqual(['source', '3306']);
    expect(sqlOf(standby!)).toMatch(/START SLAVE;/);
    // The replication user exists on the source with that password and may replicate.
    expect(sqlOf(source!)).toContain(`CREATE USER IF NOT EXISTS '${replication![3]}'@'%' IDENTIFIED BY '${replication![4]}'`);
    expect(sqlOf(source!)).toMatch(new RegExp(`GRANT REPLICATION SLAVE[^;]*TO '${replication![3]}'`));
    expect(listOf(standby!.depends_on)).toContain('source');
  });

  it('has two managers and two nodes per datacenter, each scrapable by Prometheus', () => {
    const managers = byCommand(twoDc, 'manager');
    expect(managers).toHaveLength(2);
    for (const [name, service] of managers) {
      expect(ferryCommand(service).values, name).toMatchObject({ 'metrics-public': true, host: '0.0.0.0' });
      expect(environmentOf(service).FERRY_SECRET_KEY_FILE, name).toBeTruthy();
    }
    const nodes = byCommand(twoDc, 'node').map(([name, service]) => ({ name, service, values: ferryCommand(service).values }));
    const perDc = (dc: string) => nodes.filter((n) => n.values.dc === dc).map((n) => n.name);
    expect(perDc('dc-a')).toHaveLength(2);
    expect(perDc('dc-b')).toHaveLength(2);
    expect(nodes).toHaveLength(4);
    for (const { name, service, values } of nodes) {
      expect(values.id, name).toBe(name);
      // Networks: its datacenter's (its databases) and the one between the sites (ZooKeeper, managers, the pipe).
      expect(listOf(service.networks).sort(), name).toEqual([values.dc, 'wan']);
      // Bound to every address: the default, 127.0.0.1, is out of Prometheus's reach.
      expect(values, name).toMatchObject({ 'metrics-port': '9400', 'metrics-host': '0.0.0.0' });
      // The pipe secret is sealed with the cluster key: every node needs it.
      expect(environmentOf(service).FERRY_SECRET_KEY_FILE, name).toBeTruthy();
    }
    // The target's datacenter serves the pipe the select sides in dc-a dial, at an address they resolve.
    for (const { name, values } of nodes.filter((n) => n.values.dc === 'dc-b')) {
      expect(values, name).toMatchObject({ 'pipe-listen': '0.0.0.0:7400', 'pipe-advertise': `${name}:7400` });
    }
    const prometheus = parse(readFileSync(join(REPO, 'docker/two-dc/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = (job: string) => prometheus.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((c) => c.targets).sort();
    expect(targets('ferry-managers')).toEqual(managers.map(([name, s]) => `${name}:${String(ferryCommand(s).values.port)}`).sort());
    expect(targets('ferry-nodes')).toEqual(nodes.map((n) => `${n.name}:${String(n.values['metrics-port'])}`).sort());
    expect(prometheus.scrape_configs.every((c) => c.metrics_path === '/metrics')).toBe(true);
    // The alert rules are the repository's, mounted where prometheus.yml loads them.
    const mounts = bindMounts(TWO_DC, twoDc.services.prometheus!);
    expect(mounts).toContainEqual({ source: 'docker/two-dc/prometheus/prometheus.yml', target: '/etc/prometheus/prometheus.yml' });
    expect(prometheus.rule_files.map((file) => mounts.find((m) => m.target === file)?.source)).toEqual(['monitoring/prometheus/ferry-alerts.yml']);
  });

  it('provisions Grafana with the Prometheus data source and the dashboard of the repository', () => {
    const mounts = bindMounts(TWO_DC, twoDc.services.grafana!);
    const provisioned = (folder: string) => mounts.filter((m) => m.target.startsWith(`/etc/grafana/provisioning/${folder}/`));
    const [datasources] = provisioned('datasources');
    const source = (parse(readFileSync(join(REPO, datasources!.source), 'utf8')) as { datasources: { type: string; url: string }[] }).datasources[0]!;
    expect(source).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const [dashboards] = provisioned('dashboards');
    const provider = (parse(readFileSync(join(REPO, dashboards!.source), 'utf8')) as { providers: { options: { path: string } }[] }).providers[0]!;
    const dashboard = mounts.find((m) => m.target.startsWith(`${provider.options.path}/`));
    expect(dashboard?.source).toBe('monitoring/grafana/ferry-dashboard.json');
  });

  // The monitoring change brings these files; once they are in, they must be what Prometheus and Grafana load.
  it.skipIf(!existsSync(join(REPO, 'monitoring/prometheus/ferry-alerts.yml')))('mounts alert rules Prometheus can load', () => {
    const rules = parse(readFileSync(join(REPO, 'monitoring/prometheus/ferry-alerts.yml'), 'utf8')) as { groups?: { rules?: unknown[] }[] };
    expect(rules.groups?.length).toBeGreaterThan(0);
    expect(rules.groups!.every((group) => Array.isArray(group.rules) && group.rules.length > 0)).toBe(true);
  });

  it.skipIf(!existsSync(join(REPO, 'monitoring/grafana/ferry-dashboard.json')))('mounts a dashboard Grafana can load', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'monitoring/grafana/ferry-dashboard.json'), 'utf8')) as { title?: string; panels?: unknown[] };
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.panels?.length).toBeGreaterThan(0);
  });

  it('fails on a misspelt flag, an unknown command, missing credentials or a missing file', () => {
    const broken = (from: string, to: string) => composeProblems(TWO_DC, readCompose(TWO_DC, twoDcText.replace(from, to)), MONITORING);
    expect(broken('--metrics-port 9400', '--metric-port 9400')).toEqual([expect.stringMatching(/^node-a1: .*unknown option '--metric-port'/)]);
    expect(broken('--metrics-public', '--metrics-publik')).toEqual([expect.stringMatching(/^manager-a: .*unknown option '--metrics-publik'/)]);
    expect(broken('--pipe-listen 0.0.0.0:7400', '--pipe-listen')).toEqual([expect.stringMatching(/^node-b1: .*--pipe-listen/)]);
    expect(broken('manager --zk', 'manger --zk')).toEqual(["manager-a: 'manger' is no bin/ferry command"]);
    expect(broken('FERRY_ZK_AUTH: ${FERRY_ZK_AUTH', 'FERRY_ZK_AUTH_: ${FERRY_ZK_AUTH')).toEqual([
      expect.stringMatching(/^manager-a: a manager without ZooKeeper credentials/), expect.stringMatching(/^manager-b: a manager without/),
    ]);
    expect(broken('./initdb/standby.sql', './initdb/standbi.sql')).toEqual(['standby: mounts docker/two-dc/initdb/standbi.sql, which is not in the repository']);
    expect(broken('--zk zk1:2181,zk2:2181,zk3:2181 --id node-a1', '--zk zk1:2181,zk4:2181 --id node-a1')).toEqual(["node-a1: --zk names 'zk4:2181', which is no ZooKeeper service"]);
  });
});

describe('docker/compose.yaml', () => {
  it('is consistent: commands, flags, credentials, services and mounted files', () => {
    const single = readCompose(SINGLE);
    expect(composeProblems(SINGLE, single)).toEqual([]);
    expect(byCommand(single, 'run').length + byCommand(single, 'manager').length + byCommand(single, 'node').length).toBe(4);
  });

  it('runs Ferry through bin/ferry, the image\'s entrypoint, so commands start with the subcommand', () => {
    expect(readFileSync(join(REPO, 'docker/Dockerfile'), 'utf8')).toMatch(/^ENTRYPOINT \["bin\/ferry"\]$/m);
  });
});
