// What the self-configuring VMs apply to themselves: the tier's playbook (the
// roles it ships are read from it, see constructs/playbook-roles.ts) and the
// variables the cloud gives them (the rest are the roles' defaults and
// ansible/group_vars, exactly as for every other target).
import { LockboxVars, SelfConfiguration } from "../constructs/cloud-init";
import { hostInCidr, splitCidr } from "../constructs/validate";
import { privateZones, Settings } from "../settings";

/**
 * The frontends' fixed private addresses, one per frontend zone: host
 * network.frontend_host (10 by default; the cloud keeps the first ones for the
 * gateway and DNS) of that zone's slice of the public range. The DB and app nodes,
 * which exist before them, allow SSH from these jump hosts only.
 */
export const frontendPrivateAddresses = (s: Settings): string[] =>
  splitCidr(s.network.publicCidr, s.frontendZones.length).map((cidr) => hostInCidr(cidr, s.network.frontendHost));

/** A member of the database cluster: its inventory host name (Patroni's and etcd's member name) and its fixed address. */
export interface DbMember {
  readonly name: string;
  readonly address: string;
}

/**
 * The DB VMs, one per cloud.db_zones: db1, db2, ... at host network.db_host of their
 * zone's slice of the private range (the slices are cut for privateZones, zone first).
 * Fixed, so every member's user-data names all of them before any exists.
 */
export function dbMembers(s: Settings): (DbMember & { readonly zone: string })[] {
  const zones = privateZones(s);
  const cidrs = splitCidr(s.network.privateCidr, zones.length);
  return s.dbZones.map((zone, i) => ({ name: `db${i + 1}`, zone, address: hostInCidr(cidrs[zones.indexOf(zone)], s.network.dbHost) }));
}

/** The members as the Ansible variable bingo_db_members lists them ({name, address}). */
const dbMembersVar = (s: Settings): DbMember[] => dbMembers(s).map(({ name, address }) => ({ name, address }));

/**
 * What the settings tell Ansible about the installation: the one source of the
 * controller's inventory (all of them, in all.vars) and of the self-configuring
 * VMs' variables (the ones their tier's group_vars read). The settings'
 * ansible_vars go before these wherever they are used, so these win.
 */
export function installationVars(s: Settings) {
  return {
    bingo_student_email: s.studentEmail,
    bingo_binary_url: s.app.binaryUrl,
    bingo_domain: s.domain,
    // A real certificate from Let's Encrypt when set; the self-signed one otherwise.
    ...(s.acmeEmail ? { frontend_acme_email: s.acmeEmail } : {}),
    bingo_port: s.app.port,
    bingo_app_processes: s.app.processes,
    // Sources by subnet: a re-created node may come back with a new address.
    bingo_app_sources: [s.network.privateCidr],
    bingo_frontend_sources: [s.network.publicCidr, ...s.network.healthCheckSources],
    // SSH: the frontends from the settings' range, the DB and app nodes from the jump hosts only.
    bingo_ssh_admin_sources: [...s.network.sshAllowedCidrs],
    bingo_ssh_jump_sources: frontendPrivateAddresses(s).map((a) => `${a}/32`),
    // A self-configuring VM does not know its own address when its user-data is made:
    // node exporters listen on all, and the firewalls and security groups let only
    // Prometheus in. The controller's run says the same, so it changes nothing there.
    node_exporter_listen_address: "0.0.0.0",
  };
}

type InstallationVars = ReturnType<typeof installationVars>;

/** Some of the installation's variables, in the order given (user-data stays byte-stable). */
const pick = <K extends keyof InstallationVars>(s: Settings, ...keys: K[]): Pick<InstallationVars, K> => {
  const all = installationVars(s);
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as Pick<InstallationVars, K>;
};

/**
 * The frontend, known before it exists: who may SSH to the DB and app nodes (their own
 * firewall: the jump host only) and who scrapes their exporters (monitoring_addresses
 * follows bingo_frontend_addresses), so a node the group re-creates is monitored at once.
 */
const theFrontend = (s: Settings) => ({
  bingo_frontend_addresses: frontendPrivateAddresses(s),
  ...pick(s, "bingo_ssh_jump_sources"),
});

/** The Lockbox entry that holds the database password (secret bingo-secrets: the app and DB VMs read it). */
export const DB_PASSWORD_KEY = "db_password";

/** The Lockbox entry that holds the root of the cluster's own passwords (secret bingo-db-secrets: the DB VMs only). */
export const DB_CLUSTER_SECRET_KEY = "cluster_secret";

/** The database password, read from Lockbox at boot instead of the user-data. */
const passwordVars = (secretId: string): LockboxVars => ({ secretId, vars: { bingo_db_password: DB_PASSWORD_KEY } });

/** The cluster's secret (replication, superuser and REST API passwords are derived from it), likewise. */
const clusterSecretVars = (secretId: string): LockboxVars => ({ secretId, vars: { bingo_db_cluster_secret: DB_CLUSTER_SECRET_KEY } });

/** The Lockbox secrets the DB stack creates, by id. */
export interface DbSecretIds {
  /** bingo-secrets: the database password. */
  readonly password: string;
  /** bingo-db-secrets: the cluster's secret. */
  readonly cluster: string;
}

const common = (s: Settings) => ({
  ...s.ansibleVars,
  ...pick(s, "bingo_student_email", "bingo_binary_url"),
  bingo_secrets_dir: "/etc/bingo",
});

// No Jinja ("{{ }}") in these values: instance-group metadata treats braces as
// its own {instance.*} placeholders.

/**
 * What DB VM number index (0-based, in the order of dbMembers) applies to itself: every
 * member (Patroni and etcd form the cluster from them) and its own address, by which it
 * finds its own entry; both secrets.
 */
export function dbSelfConfiguration(s: Settings, index: number, secretIds: DbSecretIds): SelfConfiguration {
  const self = dbMembers(s)[index];
  if (!self) throw new Error(`dbSelfConfiguration: there is no DB VM number ${index + 1} (cloud.db_zones lists ${s.dbZones.length})`);
  return {
    secrets: [passwordVars(secretIds.password), clusterSecretVars(secretIds.cluster)],
    group: "db",
    playbook: "playbooks/db.yml",
    vars: { ...common(s), ...theFrontend(s), bingo_db_members: dbMembersVar(s), private_address: self.address, ...pick(s, "bingo_app_sources") },
  };
}

/**
 * How long a new app instance waits for the database before it starts bingo (the
 * bingo_app role; its packages, Docker and the image are set up meanwhile): on a fresh
 * installation the DB VMs' first boot installs their packages, forms the cluster and
 * loads the data on its leader (prepare_db takes 9-20 min) before pgbouncer serves the
 * primary (playbooks/db.yml), about 25 min in all; 45 min leaves margin.
 */
export const DB_WAIT_SECONDS = 2700;

export function appSelfConfiguration(s: Settings, passwordSecretId: string): SelfConfiguration {
  return {
    secrets: [passwordVars(passwordSecretId)],
    group: "app",
    playbook: "playbooks/app-self.yml",
    vars: {
      ...common(s),
      ...theFrontend(s),
      // Every member: the app's local HAProxy routes to whichever is the primary.
      bingo_db_members: dbMembersVar(s),
      // Packages, Docker and the image are set up meanwhile; bingo starts once pgbouncer answers.
      bingo_app_db_wait_timeout: DB_WAIT_SECONDS,
      // The processes' ports: the containers publish them, the firewall opens them.
      ...pick(s, "node_exporter_listen_address", "bingo_frontend_sources", "bingo_port", "bingo_app_processes"),
    },
  };
}
