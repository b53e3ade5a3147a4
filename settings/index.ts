// The typed settings of the cloud stacks: one YAML file (settings.yaml, see
// settings.example.yaml) plus environment overrides. Every problem is reported
// at once, each naming the setting, what was wrong and how to fix it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { DEFAULT_IMAGE_FAMILY } from "./images";
import { diskProblems, vmSizeProblems } from "./platforms";

export interface VmSize {
  readonly cores: number;
  readonly memoryGb: number;
  /** Guaranteed share of a core, percent (20, 50 or 100). */
  readonly coreFraction: number;
  readonly diskGb: number;
  readonly diskType: string;
}

export interface Settings {
  readonly cloudId?: string;
  readonly folderId: string;
  readonly zone: string;
  readonly platformId: string;
  readonly preemptible: boolean;
  readonly imageFamily: string;
  readonly imageFolderId: string;
  readonly network: {
    readonly publicCidr: string;
    /** Host number of the frontend's fixed private address in the public subnet. */
    readonly frontendHost: number;
    /** Where the instance group's health checks come from (the app nodes let them in). */
    readonly healthCheckSources: readonly string[];
    readonly privateCidr: string;
    /** Who may SSH to the frontend (the jump host). */
    readonly sshAllowedCidrs: readonly string[];
  };
  readonly ssh: {
    readonly user: string;
    readonly publicKey: string;
    /** Private key Ansible uses on the controller (never leaves it). */
    readonly privateKeyFile: string;
  };
  readonly sizes: { readonly db: VmSize; readonly app: VmSize; readonly frontend: VmSize };
  readonly app: {
    readonly instances: number;
    readonly port: number;
    readonly binaryUrl: string;
    /** An internal network load balancer in front of the group; the frontend proxies to it. */
    readonly loadBalancer: boolean;
  };
  readonly studentEmail: string;
  readonly domain: string;
  /** Let's Encrypt's account email: set, the frontend gets a real certificate for domain; unset, a self-signed one. */
  readonly acmeEmail?: string;
  /** Where the local Terraform state of each stack lives. */
  readonly stateDir: string;
  /**
   * Extra Ansible variables for every node (role defaults to override), given to
   * the self-configuring VMs in their user-data and to the controller's inventory.
   */
  readonly ansibleVars: Readonly<Record<string, unknown>>;
}

export class SettingsError extends Error {
  constructor(
    readonly problems: readonly string[],
    source: string,
  ) {
    super(
      `invalid cloud settings (${source}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\n  Fix them in settings.yaml (copy settings.example.yaml) or set the environment variable named.",
    );
    this.name = "SettingsError";
  }
}

/** Environment variables that override a setting (dotted path in the YAML file). */
export const ENV_OVERRIDES: Readonly<Record<string, string>> = {
  YC_CLOUD_ID: "cloud.cloud_id",
  YC_FOLDER_ID: "cloud.folder_id",
  YC_ZONE: "cloud.zone",
  YC_IMAGE_FAMILY: "image.family",
  BINGO_SSH_PUBLIC_KEY: "ssh.public_key",
  BINGO_SSH_PRIVATE_KEY_FILE: "ssh.private_key_file",
  BINGO_STUDENT_EMAIL: "student_email",
  BINGO_DOMAIN: "domain",
  BINGO_ACME_EMAIL: "tls.acme_email",
  BINGO_APP_PORT: "app.port",
  BINGO_LOAD_BALANCER: "app.load_balancer",
  BINGO_SSH_ALLOWED_CIDRS: "network.ssh_allowed_cidrs",
};

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function get(raw: Raw, dotted: string): unknown {
  let cur: unknown = raw;
  for (const k of dotted.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function set(raw: Raw, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur = raw;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Raw;
  }
  cur[keys[keys.length - 1]] = value;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const validCidr = (s: string) => {
  const m = CIDR.exec(s);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};

/** Reads settings one by one, collecting every problem instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  /** Every key read: what the settings file may hold (unknown keys are reported against it). */
  readonly known = new Set<string>();
  constructor(private readonly raw: Raw) {}

  private get(key: string): unknown {
    this.known.add(key);
    return get(this.raw, key);
  }

  private where(key: string): string {
    const env = Object.entries(ENV_OVERRIDES).find(([, k]) => k === key)?.[0];
    return env ? `${key} (or env ${env})` : key;
  }

  str(key: string, opts: { def?: string; pattern?: RegExp; hint?: string } = {}): string {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") {
      if (opts.def !== undefined) return opts.def;
      this.problems.push(`${this.where(key)} is missing: ${opts.hint ?? "set it"}`);
      return "";
    }
    if (typeof v !== "string" && typeof v !== "number") {
      this.problems.push(`${this.where(key)} must be a string, got ${JSON.stringify(v)}`);
      return "";
    }
    const s = String(v).trim();
    if (opts.pattern && !opts.pattern.test(s)) {
      this.problems.push(`${this.where(key)} is malformed (${JSON.stringify(s)}): ${opts.hint ?? `it must match ${opts.pattern}`}`);
    }
    return s;
  }

  optStr(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined || v === null || v === "" ? undefined : this.str(key);
  }

  /** A whole number; def undefined makes it required (hint says where to find it). */
  int(key: string, def: number | undefined, min: number, max: number, hint?: string): number {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") {
      if (def !== undefined) return def;
      this.problems.push(`${this.where(key)} is missing: ${hint ?? `set a whole number from ${min} to ${max}`}`);
      return min;
    }
    const n = typeof v === "number" ? v : /^-?\d+$/.test(String(v).trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${this.where(key)} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return def ?? min;
    }
    return n;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") return def;
    if (typeof v === "boolean") return v;
    if (["true", "yes", "1", "on"].includes(String(v).toLowerCase())) return true;
    if (["false", "no", "0", "off"].includes(String(v).toLowerCase())) return false;
    this.problems.push(`${this.where(key)} must be true or false, got ${JSON.stringify(v)}`);
    return def;
  }

  cidr(key: string, def: string): string {
    const s = this.str(key, { def });
    if (s && !validCidr(s)) this.problems.push(`${this.where(key)} must be an IPv4 CIDR such as ${def}, got ${JSON.stringify(s)}`);
    return s;
  }

  /** A non-empty list of CIDRs; def undefined makes it required (hint says how to find the value). */
  cidrs(key: string, def: string[] | undefined, hint?: string): string[] {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      this.problems.push(`${this.where(key)} is missing: ${hint ?? "list IPv4 CIDRs such as [203.0.113.0/24]"}`);
      return [];
    }
    // The environment gives a comma-separated string.
    const list = Array.isArray(v) ? v : String(v).split(",").map((c) => c.trim());
    const bad = list.filter((c) => typeof c !== "string" || !validCidr(c));
    if (bad.length > 0 || list.length === 0) {
      this.problems.push(`${this.where(key)} must be a non-empty list of IPv4 CIDRs such as [203.0.113.0/24], got ${JSON.stringify(v)}`);
      return def ?? [];
    }
    return list as string[];
  }

  /** A mapping of Ansible variable names to values without braces (instance-group metadata reads them as placeholders). */
  ansibleVars(key: string): Record<string, unknown> {
    const v = this.get(key);
    if (v === undefined || v === null) return {};
    if (!isObject(v)) {
      this.problems.push(`${key} must be a mapping of Ansible variables (name: value), got ${JSON.stringify(v)}`);
      return {};
    }
    for (const [name, value] of Object.entries(v)) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) this.problems.push(`${key}.${name} is not an Ansible variable name (lowercase letters, digits, _)`);
      const strings = JSON.stringify(value).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
      if (strings.some((str) => /[{}]/.test(str))) this.problems.push(`${key}.${name} must not hold braces: Jinja and instance-group placeholders would read them`);
    }
    return v;
  }

  size(key: string, def: VmSize): VmSize {
    const v = this.get(key);
    if (v !== undefined && v !== null && !isObject(v)) {
      this.problems.push(`${key} must be a mapping with cores, memory_gb, core_fraction, disk_gb, disk_type`);
      return def;
    }
    const coreFraction = this.int(`${key}.core_fraction`, def.coreFraction, 5, 100);
    return {
      cores: this.int(`${key}.cores`, def.cores, 2, 64),
      memoryGb: this.int(`${key}.memory_gb`, def.memoryGb, 1, 256),
      coreFraction,
      diskGb: this.int(`${key}.disk_gb`, def.diskGb, 10, 4096),
      diskType: this.str(`${key}.disk_type`, {
        def: def.diskType,
        pattern: /^network-(hdd|ssd|ssd-nonreplicated|ssd-io-m3)$/,
        hint: "use network-hdd or network-ssd",
      }),
    };
  }
}

/** The highest port an instance group's health check may use (compute/api-ref/InstanceGroup/create). */
export const HEALTH_CHECK_PORT_MAX = 32767;

/** Keys that once were settings, with what to do instead. */
const RETIRED: Readonly<Record<string, string>> = {
  db_password: "is no setting any more: Lockbox generates the database password (constructs/vm-secrets.ts); remove it",
};

/** Keys of the settings file that no setting reads: misspelt, misplaced or retired. */
function unknownKeys(raw: Raw, known: ReadonlySet<string>): string[] {
  const all = [...known];
  const problems: string[] = [];
  const walk = (obj: Raw, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const hasChildren = all.some((x) => x.startsWith(`${key}.`));
      if (hasChildren && isObject(v)) walk(v, key);
      if (known.has(key) || hasChildren) continue;
      if (RETIRED[key]) {
        problems.push(`${key} ${RETIRED[key]}`);
        continue;
      }
      const sameName = all.filter((x) => x.split(".").pop() === k);
      problems.push(
        sameName.length > 0
          ? `${key} is not a setting here: did you mean ${sameName.join(" or ")}? (it is ignored where it is)`
          : `${key} is not a setting: remove it or fix its name (settings.example.yaml lists them all)`,
      );
    }
  };
  walk(raw, "");
  return problems;
}

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
  const raw: Raw = structuredClone(input.raw ?? {});
  const env = input.env ?? {};
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== "") set(raw, key, v);
  }
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

  const settings: Settings = {
    cloudId: r.optStr("cloud.cloud_id"),
    folderId: r.str("cloud.folder_id", {
      pattern: ycId,
      hint: "the ID of your folder (20 lowercase letters and digits, `yc config get folder-id`)",
    }),
    zone: r.str("cloud.zone", {
      def: "ru-central1-a",
      pattern: /^ru-central1-[abd]$/,
      hint: "use ru-central1-a, ru-central1-b or ru-central1-d",
    }),
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
  if (settings.acmeEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(settings.acmeEmail)) {
    r.problems.push(`tls.acme_email (or env BINGO_ACME_EMAIL) is not an email address (${JSON.stringify(settings.acmeEmail)}): Let's Encrypt writes to it about expiring certificates`);
  }
  // What the cloud would refuse at apply time, refused now with the documented limit.
  if (settings.app.port > HEALTH_CHECK_PORT_MAX) {
    r.problems.push(
      `app.port ${settings.app.port} cannot be health-checked: an instance group's HTTP health check takes ports 1 to ${HEALTH_CHECK_PORT_MAX} (Yandex Cloud: compute/api-ref/InstanceGroup/create, healthChecksSpec.healthCheckSpecs[].httpOptions.port)`,
    );
  }
  for (const tier of ["db", "app", "frontend"] as const) {
    const size = settings.sizes[tier];
    r.problems.push(...vmSizeProblems(`sizes.${tier}`, settings.platformId, size), ...diskProblems(`sizes.${tier}`, size.diskType, size.diskGb));
  }
  r.problems.push(...unknownKeys(input.raw ?? {}, r.known));
  if (r.problems.length > 0) throw new SettingsError(r.problems, input.source ?? "settings");
  return settings;
}

/**
 * Loads settings.yaml (or BINGO_SETTINGS) with environment overrides. A missing
 * file is fine when the environment supplies the required values. The database
 * password is no setting: Lockbox generates it (constructs/vm-secrets.ts).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, root = path.resolve(__dirname, "..")): Settings {
  let file = path.resolve(root, env.BINGO_SETTINGS ?? "settings.yaml");
  // A clean clone has no settings.yaml: synth and validate then use the example,
  // which can be checked but not deployed (scripts/cloud.sh refuses it).
  const example = !env.BINGO_SETTINGS && !fs.existsSync(file) && !hasCloudCredentials(env);
  if (example) {
    file = path.join(root, "settings.example.yaml");
    console.error("note: no settings.yaml: using settings.example.yaml (fine for synth and validate, not for deploy)");
  }
  let raw: Raw = {};
  if (fs.existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new SettingsError([`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`], file);
    }
    if (parsed !== null && parsed !== undefined && !isObject(parsed)) {
      throw new SettingsError([`${file} must hold a YAML mapping (key: value), not ${typeof parsed}`], file);
    }
    raw = (parsed as Raw | null) ?? {};
  }
  const source = fs.existsSync(file) ? `${path.relative(root, file)} + environment` : `environment only: no ${path.relative(root, file)}`;
  return parseSettings({ raw, env, source, root });
}

/** Same test as have_cloud_credentials in scripts/lib/common.sh. */
export function hasCloudCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.YC_TOKEN || env.YC_IAM_TOKEN || env.YC_SERVICE_ACCOUNT_KEY_FILE);
}
