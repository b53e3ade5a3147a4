// Validates the raw settings into typed Settings: every value, the limits of
// the cloud, and keys no setting reads.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { applyEnvOverrides } from "./env";
import { DEFAULT_IMAGE_FAMILY } from "./images";
import { diskProblems, vmSizeProblems } from "./platforms";
import { Raw } from "./raw";
import { Reader } from "./reader";
import { SettingsError } from "./settings-error";
import { hostInCidr, splitCidr } from "../constructs/validate";
import { isIpv4Cidr } from "./checks";
import { Settings } from "./types";
import { unknownKeys } from "./unknown-keys";
import { privateZones, ZONE, ZONE_HINT, zonesFrom } from "./zones";

/** The highest port an instance group's health check may use (compute/api-ref/InstanceGroup/create). */
export const HEALTH_CHECK_PORT_MAX = 32767;

/** The most bingo processes per app node: they share 1.25 GiB of a 2 GB VM (bingo_app_memory). */
export const MAX_APP_PROCESSES = 4;

/** The app nodes' host ports, one per process: app.port, app.port + 1, ... (process 1 is health-checked). */
export const appPorts = (app: { readonly port: number; readonly processes: number }): number[] =>
  Array.from({ length: app.processes }, (_, i) => app.port + i);

export interface SettingsInput {
  /** The parsed YAML file (or a fixture); env overrides are applied on top. */
  readonly raw: Raw;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the values came from, for messages. */
  readonly source?: string;
  /** Repository root (state folder, secrets); defaults to the folder above settings/. */
  readonly root?: string;
}

const expandHome = (p: string) => (p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : p);

/** Validates raw settings (YAML or fixture) plus environment overrides into typed Settings. */
export function parseSettings(input: SettingsInput): Settings {
  const raw = applyEnvOverrides(input.raw ?? {}, input.env ?? {});
  const root = input.root ?? path.resolve(__dirname, "..");
  const r = new Reader(raw);
  const ycId = /^[a-z0-9]{20}$/;

  let publicKey = r.optStr("ssh.public_key");
  const publicKeyFile = r.optStr("ssh.public_key_file");
  if (!publicKey && publicKeyFile) {
    try {
      publicKey = fs.readFileSync(expandHome(publicKeyFile), "utf8").trim();
    } catch {
      r.problems.push(`ssh.public_key_file ${publicKeyFile} cannot be read: point it at your .pub file, or set ssh.public_key`);
    }
  }
  if (!publicKey) {
    r.problems.push(
      "ssh.public_key (or env BINGO_SSH_PUBLIC_KEY) is missing: set ssh.public_key_file to your .pub file or paste the key into ssh.public_key",
    );
  } else if (!/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(publicKey)) {
    r.problems.push("ssh.public_key is not an OpenSSH public key (it should start with ssh-ed25519 or ssh-rsa)");
  }

  const zone = r.str("cloud.zone", { def: "ru-central1-a", pattern: ZONE, hint: ZONE_HINT });
  const settings: Settings = {
    cloudId: r.optStr("cloud.cloud_id"),
    folderId: r.str("cloud.folder_id", {
      pattern: ycId,
      hint: "the ID of your folder (20 lowercase letters and digits, `yc config get folder-id`)",
    }),
    zone,
    frontendZones: r.zones("cloud.frontend_zones", { def: zonesFrom(zone, 2), pattern: ZONE, hint: ZONE_HINT }),
    dbZones: r.zones("cloud.db_zones", { def: zonesFrom(zone, 3), pattern: ZONE, hint: ZONE_HINT }),
    platformId: r.str("vm.platform_id", { def: "standard-v3", pattern: /^standard-v[123]$/, hint: "use standard-v3" }),
    preemptible: r.bool("vm.preemptible", false),
    imageFamily: r.str("image.family", { def: DEFAULT_IMAGE_FAMILY, pattern: /^[a-z][a-z0-9-]*$/, hint: `an image family such as ${DEFAULT_IMAGE_FAMILY}` }),
    imageFolderId: r.str("image.folder_id", { def: "standard-images" }),
    network: {
      publicCidr: r.cidr("network.public_cidr", "10.10.1.0/24"),
      // The cloud keeps the first addresses of a subnet (gateway, DNS).
      frontendHost: r.int("network.frontend_host", 10, 3, 250),
      // Yandex Cloud's documented ranges of the health-check nodes.
      healthCheckSources: r.cidrs("network.health_check_sources", ["198.18.235.0/24", "198.18.248.0/24"]),
      privateCidr: r.cidr("network.private_cidr", "10.10.2.0/24"),
      dbHost: r.int("network.db_host", 10, 3, 250),
      // No default: SSH open to the world is a choice to write down, not to inherit.
      sshAllowedCidrs: r.cidrs(
        "network.ssh_allowed_cidrs",
        undefined,
        "list who may SSH to the frontend (the jump host), e.g. [203.0.113.7/32] for one address: your public IPv4 address is what `curl -4 https://ifconfig.me` prints from this machine (behind NAT, the router's public address)",
      ),
    },
    ssh: {
      user: r.str("ssh.user", { def: "ansible", pattern: /^[a-z_][a-z0-9_-]{0,31}$/, hint: "a Linux user name" }),
      publicKey: publicKey ?? "",
      privateKeyFile: expandHome(r.str("ssh.private_key_file", { def: "~/.ssh/id_ed25519" })),
    },
    sizes: {
      db: r.size("sizes.db", { cores: 2, memoryGb: 4, coreFraction: 100, diskGb: 30, diskType: "network-ssd" }),
      app: r.size("sizes.app", { cores: 2, memoryGb: 2, coreFraction: 50, diskGb: 20, diskType: "network-hdd" }),
      frontend: r.size("sizes.frontend", { cores: 2, memoryGb: 2, coreFraction: 50, diskGb: 20, diskType: "network-hdd" }),
    },
    app: {
      instances: r.int("app.instances", 2, 2, 10),
      // No default: the binary picks its port from the student email, and the
      // security groups and the health check must use that very port.
      port: r.int(
        "app.port",
        undefined,
        1024,
        65535,
        "the port bingo listens on for your student_email (the binary fixes it per email: run it once with your config and read it with `ss -ltnp`)",
      ),
      // One process sheds what passes its rate limit (~100 RPS); two per node let one node
      // hold the peak alone. Each is a container published on its own host port.
      processes: r.int("app.processes", 2, 1, MAX_APP_PROCESSES),
      binaryUrl: r.str("app.binary_url", {
        def: "https://storage.yandexcloud.net/final-homework/bingo",
        pattern: /^https?:\/\/\S+$/,
        hint: "an http(s) URL of the bingo binary",
      }),
      loadBalancer: r.bool("app.load_balancer", false),
    },
    studentEmail: r.str("student_email", {
      pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
      hint: "the email the bingo binary is configured with",
    }),
    domain: r.str("domain", {
      pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i,
      hint: "the domain name the service answers on, e.g. bingo.example.org",
    }),
    acmeEmail: r.optStr("tls.acme_email"),
    stateDir: path.resolve(root, r.str("state_dir", { def: ".local/tfstate" })),
    ansibleVars: r.ansibleVars("ansible_vars"),
  };
  if (settings.network.publicCidr === settings.network.privateCidr) r.problems.push("network.public_cidr and network.private_cidr must be different subnets");
  // Each frontend zone gets an equal slice of public_cidr; its frontend is host frontend_host of it.
  if (isIpv4Cidr(settings.network.publicCidr)) try {
    splitCidr(settings.network.publicCidr, settings.frontendZones.length).forEach((slice) => hostInCidr(slice, settings.network.frontendHost));
  } catch (err) {
    r.problems.push(
      `network.public_cidr ${settings.network.publicCidr} cut into ${settings.frontendZones.length} (one per cloud.frontend_zones) has no host ${settings.network.frontendHost} (network.frontend_host) in each slice: use a larger public_cidr or a smaller frontend_host (${(err as Error).message})`,
    );
  }
  // etcd (and so Patroni) needs a majority of its members: an odd count of at least three
  // survives the loss of any one zone; an even count adds a member and no tolerance.
  if (settings.dbZones.length < 3 || settings.dbZones.length % 2 === 0) {
    r.problems.push(
      `cloud.db_zones lists ${settings.dbZones.length} zone(s) (${settings.dbZones.join(", ")}): the database cluster needs an odd number of at least 3, one DB VM each, e.g. [ru-central1-a, ru-central1-b, ru-central1-d]`,
    );
  }
  // Each private zone gets an equal slice of private_cidr; its DB VM is host db_host of it.
  const zones = privateZones(settings);
  if (isIpv4Cidr(settings.network.privateCidr)) try {
    splitCidr(settings.network.privateCidr, zones.length).forEach((slice) => hostInCidr(slice, settings.network.dbHost));
  } catch (err) {
    r.problems.push(
      `network.private_cidr ${settings.network.privateCidr} cut into ${zones.length} (one per private zone: cloud.zone and cloud.db_zones) has no host ${settings.network.dbHost} (network.db_host) in each slice: use a larger private_cidr or a smaller db_host (${(err as Error).message})`,
    );
  }
  if (settings.acmeEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(settings.acmeEmail)) {
    r.problems.push(`tls.acme_email (or env BINGO_ACME_EMAIL) is not an email address (${JSON.stringify(settings.acmeEmail)}): Let's Encrypt writes to it about expiring certificates`);
  }
  // What the cloud would refuse at apply time, refused now with the documented limit.
  if (settings.app.port > HEALTH_CHECK_PORT_MAX) {
    r.problems.push(
      `app.port ${settings.app.port} cannot be health-checked: an instance group's HTTP health check takes ports 1 to ${HEALTH_CHECK_PORT_MAX} (Yandex Cloud: compute/api-ref/InstanceGroup/create, healthChecksSpec.healthCheckSpecs[].httpOptions.port)`,
    );
  }
  const lastPort = settings.app.port + settings.app.processes - 1;
  if (lastPort > 65535) {
    r.problems.push(`app.port ${settings.app.port} with app.processes ${settings.app.processes} needs host ports up to ${lastPort}, past 65535: run fewer processes`);
  }
  for (const tier of ["db", "app", "frontend"] as const) {
    const size = settings.sizes[tier];
    r.problems.push(...vmSizeProblems(`sizes.${tier}`, settings.platformId, size), ...diskProblems(`sizes.${tier}`, size.diskType, size.diskGb));
  }
  r.problems.push(...unknownKeys(input.raw ?? {}, r.known));
  if (r.problems.length > 0) throw new SettingsError(r.problems, input.source ?? "settings");
  return settings;
}
