// What the self-configuring VMs apply to themselves: the tier's playbook, the
// roles it uses and the variables the cloud gives them (the rest are the
// roles' defaults and ansible/group_vars, exactly as for every other target).
import { LockboxVars, SelfConfiguration } from "../constructs/cloud-init";
import { Settings } from "../settings";

/** Sources the IG and load-balancer health checks come from (Yandex Cloud's documented ranges). */
export const HEALTH_CHECK_SOURCES = ["198.18.235.0/24", "198.18.248.0/24"];

/** The Lockbox entry that holds the database password. */
export const DB_PASSWORD_KEY = "db_password";

/** What the VMs read from Lockbox at boot instead of their user-data. */
const secretVars = (secretId: string): LockboxVars => ({ secretId, vars: { bingo_db_password: DB_PASSWORD_KEY } });

const common = (s: Settings) => ({
  ...s.ansibleVars,
  bingo_student_email: s.studentEmail,
  bingo_binary_url: s.app.binaryUrl,
  bingo_secrets_dir: "/etc/bingo",
  // Prometheus runs on the frontend, in the public subnet.
  bingo_monitoring_sources: [s.network.publicCidr],
});

// No Jinja ("{{ }}") in these values: instance-group metadata treats braces as
// its own {instance.*} placeholders.

export function dbSelfConfiguration(s: Settings, secretId: string): SelfConfiguration {
  return {
    secrets: secretVars(secretId),
    group: "db",
    playbook: "playbooks/db.yml",
    roles: ["common", "postgresql", "pgbouncer", "bingo_binary", "bingo_data"],
    vars: { ...common(s), bingo_db_addresses: ["127.0.0.1"], bingo_app_sources: [s.network.privateCidr] },
  };
}

export function appSelfConfiguration(s: Settings, dbAddress: string, secretId: string): SelfConfiguration {
  return {
    secrets: secretVars(secretId),
    group: "app",
    playbook: "playbooks/app-self.yml",
    roles: ["common", "docker", "bingo_binary", "bingo_app", "node_exporter"],
    vars: {
      ...common(s),
      bingo_db_addresses: [dbAddress],
      bingo_frontend_addresses: [],
      bingo_frontend_sources: [s.network.publicCidr, ...HEALTH_CHECK_SOURCES],
    },
  };
}
