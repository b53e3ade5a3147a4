// The ports the frontend's Prometheus scrapes on each tier, read from the
// Ansible code (the prometheus role's prometheus_scrape_jobs, the ports in
// group_vars/all.yml), so the security groups open exactly what the monitoring uses;
// and the other ports of group_vars/all.yml the security groups open (the database
// cluster's, Alertmanager's), read from there likewise.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

type Raw = Record<string, unknown>;

interface ScrapeJob {
  readonly job: string;
  readonly groups: readonly string[];
  readonly port: string | number;
}

/** The roles' defaults with group_vars/all.yml over them, as Ansible ranks them. */
function defaultsOf(ansibleDir: string): Raw {
  const all: Raw = {};
  const readInto = (file: string) => {
    if (fs.existsSync(file)) Object.assign(all, parseYaml(fs.readFileSync(file, "utf8")) ?? {});
  };
  const roles = path.join(ansibleDir, "roles");
  for (const role of fs.readdirSync(roles).sort()) readInto(path.join(roles, role, "defaults", "main.yml"));
  readInto(path.join(ansibleDir, "group_vars", "all.yml"));
  return all;
}

/** A port as the roles write it: a number, or "{{ name }}" (or "{{ name | default(N) }}") resolved from group_vars/all.yml or the roles' defaults. */
function resolvePort(value: string | number, defaults: Raw, what: string): number {
  if (typeof value === "number") return value;
  const m = /^\{\{\s*([a-z_][a-z0-9_]*)\s*(?:\|\s*default\((\d+)\)\s*)?\}\}$/.exec(value.trim());
  const port = m ? Number(defaults[m[1]] ?? m[2]) : Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what} (${value}) does not resolve to a TCP port; give it a number or a variable of group_vars/all.yml or a role default`);
  }
  return port;
}

/** Inventory group -> the ports Prometheus scrapes there, sorted. */
export function scrapedPorts(ansibleDir = path.resolve(__dirname, "..", "ansible")): Record<string, number[]> {
  const defaults = defaultsOf(ansibleDir);
  const jobs = defaults.prometheus_scrape_jobs as ScrapeJob[] | undefined;
  if (!Array.isArray(jobs)) throw new Error("ansible/roles/prometheus/defaults/main.yml has no prometheus_scrape_jobs list");
  const byGroup: Record<string, Set<number>> = {};
  for (const job of jobs) {
    const port = resolvePort(job.port, defaults, `prometheus_scrape_jobs: the port of job ${job.job}`);
    for (const group of job.groups) (byGroup[group] ??= new Set()).add(port);
  }
  return Object.fromEntries(Object.entries(byGroup).map(([g, ports]) => [g, [...ports].sort((a, b) => a - b)]));
}

/** The ports of the database cluster and of the frontends' Alertmanagers, as the roles use them. */
export interface InstallationPorts {
  /** pgbouncer on every DB node: the app nodes' way to the database. */
  readonly pgbouncer: number;
  /** PostgreSQL itself: the DB nodes among themselves (replication, pg_rewind). */
  readonly postgresql: number;
  /** Patroni's REST API: the app nodes' HAProxy checks, the other members (Prometheus's scrape is a scrape job's). */
  readonly patroniRest: number;
  /** etcd's client and peer ports: the DB nodes among themselves. */
  readonly etcdClient: number;
  readonly etcdPeer: number;
  /** Alertmanager's API and its cluster gossip (tcp and udp): the frontends among themselves. */
  readonly alertmanager: number;
  readonly alertmanagerCluster: number;
}

/** The installation's ports from group_vars/all.yml (the variables the roles listen on). */
export function installationPorts(ansibleDir = path.resolve(__dirname, "..", "ansible")): InstallationPorts {
  const defaults = defaultsOf(ansibleDir);
  const port = (name: string) => resolvePort(`{{ ${name} }}`, defaults, `ansible/group_vars/all.yml: ${name}`);
  return {
    pgbouncer: port("bingo_pgbouncer_port"),
    postgresql: port("postgresql_port"),
    patroniRest: port("patroni_rest_port"),
    etcdClient: port("etcd_client_port"),
    etcdPeer: port("etcd_peer_port"),
    alertmanager: port("alertmanager_port"),
    alertmanagerCluster: port("alertmanager_cluster_port"),
  };
}
