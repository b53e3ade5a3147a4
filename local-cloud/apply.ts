// The local installation's "terraform apply": reads the stacks synthesized from
// the local settings profile and writes what the cloud would make of them:
//   seeds/<node>/user-data   the VM's user-data (instance-group placeholders filled in)
//   cloud.json               instances, service accounts, Lockbox secrets and grants
//                            (for the metadata and Lockbox stand-in), the instance
//                            group's health check (for the local group controller),
//                            the frontends' balancer (for local-cloud/balancer.ts)
//   names                    "<node> <fqdn>" lines: the VPC DNS names of the VMs
//   group_vars.yml           the variables of the controller's inventory, as the
//                            frontend stack gives them to its Ansible run
//   controller.env           the environment of that run (scripts/controller-run.sh),
//                            with the database password and the cluster's secret read
//                            from Lockbox
//
//   node --import tsx local-cloud/apply.ts OUTDIR STATE_DIR NODE=CLOUD_NAME=ADDRESS...
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- the synthesized Terraform JSON is read untyped (StackJson): its shape is the provider's, and the apply checks it */
import { randomInt } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { hclStringLiteral, localId, resolveRefs, type ResolveContext, type StackJson } from "./terraform-refs";
import { runCli } from "./cli";

export interface LocalNode {
  /** The local node (container) name, e.g. app1. */
  readonly node: string;
  /** The VM name in the stacks, e.g. bingo-app-1. */
  readonly cloudName: string;
  readonly address: string;
}

export interface GroupHealthCheck {
  readonly port: number;
  readonly path: string;
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface CloudState {
  /** The service account each VM runs as, by private address (what the metadata service hands out). */
  readonly instances: Record<string, { readonly node: string; readonly serviceAccountId?: string }>;
  readonly secrets: Record<string, { readonly name: string; readonly entries: Record<string, string> }>;
  /** Lockbox access bindings: who may read which secret's payload. */
  readonly grants: { readonly secretId: string; readonly member: string; readonly role: string }[];
  readonly group: {
    readonly members: { readonly node: string; readonly address: string }[];
    readonly healthCheck: GroupHealthCheck;
    /** Seconds a new instance has before health checks count (max_checking_health_duration). */
    readonly startupS: number;
    /** What healing does to an unhealthy instance: the deployment policy decides (max_expansion > 0 re-creates). */
    readonly healAction: "restart" | "recreate";
  };
  readonly balancer?: BalancerState;
}

/** A synthesized health check block (instance group or balancer) in the stand-ins' terms. */
function healthCheckOf(hc: StackJson): GroupHealthCheck {
  return {
    port: Number(hc.http_options.port),
    path: String(hc.http_options.path ?? "/"),
    intervalS: Number(hc.interval ?? 2),
    timeoutS: Number(hc.timeout ?? 1),
    healthyThreshold: Number(hc.healthy_threshold ?? 2),
    unhealthyThreshold: Number(hc.unhealthy_threshold ?? 2),
  };
}

/** The network load balancer in front of the frontends, as the local balancer applies it. */
export interface BalancerState {
  readonly listeners: { readonly port: number; readonly protocol: "tcp" | "udp" }[];
  /** The targets' (private) addresses. */
  readonly targets: string[];
  readonly healthCheck: GroupHealthCheck;
}

type Resources = Record<string, Record<string, StackJson>>;

function readStacks(outdir: string): Record<string, StackJson> {
  const dir = path.join(outdir, "stacks");
  if (!fs.existsSync(dir)) throw new Error(`no synthesized stacks in ${dir}: run the synth first`);
  return Object.fromEntries(
    fs.readdirSync(dir).map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8"))]),
  );
}

/** Every resource of one type over all stacks, with its stack and address. */
function resourcesOf(stacks: Record<string, StackJson>, type: string): { stack: string; address: string; body: StackJson }[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries(((json.resource ?? {}) as Resources)[type] ?? {}).map(([name, body]) => ({ stack, address: `${type}.${name}`, body })),
  );
}

/** What the instance group does to its template's metadata for instance number index (1-based). */
export function fillInstancePlaceholders(text: string, index: number): string {
  const filled = text.replace(/\{instance\.index\}/g, String(index));
  const left = /\{instance(_group)?\.[a-z_]+\}/.exec(filled);
  if (left) throw new Error(`the local instance group does not fill ${left[0]}; add it to local-cloud/apply.ts`);
  return filled;
}

/**
 * The frontend stack's Ansible run: its stack, environment and the variables of its
 * inventory (INVENTORY_B64 is a base64encode("...") of YAML), references unresolved.
 */
function controllerRun(stacks: Record<string, StackJson>): { stack: string; env: Record<string, string>; vars: Record<string, unknown> } {
  for (const run of resourcesOf(stacks, "null_resource")) {
    for (const p of run.body.provisioner ?? []) {
      const env = (p["local-exec"]?.environment ?? {}) as Record<string, string>;
      const prefix = "${base64encode(";
      if (typeof env.INVENTORY_B64 !== "string" || !env.INVENTORY_B64.startsWith(prefix)) continue;
      // The YAML is parsed with each interpolation held by a placeholder: the hosts'
      // entries hold expressions (for loops over the group's instances) that are only
      // valid YAML once Terraform has replaced them.
      const exprs: string[] = [];
      const { text } = hclStringLiteral(env.INVENTORY_B64, prefix.length, (expr) => `tfref${exprs.push(expr) - 1}tfref`);
      const vars = JSON.stringify(parse(text)?.all?.vars ?? {}).replace(/tfref(\d+)tfref/g, (_, i: string) => JSON.stringify(exprs[Number(i)]).slice(1, -1));
      return { stack: run.stack, env, vars: JSON.parse(vars) as Record<string, unknown> };
    }
  }
  throw new Error("no Ansible run with an inventory in the synthesized stacks");
}

/** What the controller's run gets from the stack; the rest of its environment is the cloud inventory's. */
const CONTROLLER_ENV = ["BINGO_DB_PASSWORD", "BINGO_DB_CLUSTER_SECRET", "BINGO_PLAYBOOKS", "BINGO_WAIT_SECONDS", "EXPECTED_APP_PORT"];

const ALPHABET = { include_uppercase: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", include_lowercase: "abcdefghijklmnopqrstuvwxyz", include_digits: "0123456789", include_punctuation: "!#$%&()*+,-.:;<=>?@[]^_{|}~" };

/** A password as Lockbox generates one from password_payload_specification. */
export function generatePassword(spec: Record<string, unknown>): string {
  const chars = Object.entries(ALPHABET)
    .filter(([flag]) => spec[flag] !== false && !(flag === "include_punctuation" && spec[flag] === undefined))
    .map(([, set]) => set)
    .join("");
  return Array.from({ length: Number(spec.length ?? 24) }, () => chars[randomInt(chars.length)]).join("");
}

export function applyLocally(
  outdir: string,
  nodes: readonly LocalNode[],
  previous?: CloudState,
): {
  userData: Record<string, string>;
  state: CloudState;
  names: Record<string, string>;
  groupVars: Record<string, unknown>;
  controllerEnv: Record<string, string>;
} {
  const stacks = readStacks(outdir);
  const secrets: Record<string, { name: string; entries: Record<string, string> }> = {};
  const ctx: ResolveContext = { stacks, addresses: Object.fromEntries(nodes.map((n) => [n.cloudName, n.address])), secrets };
  const byCloudName = new Map(nodes.map((n) => [n.cloudName, n]));
  const userData: Record<string, string> = {};
  const names: Record<string, string> = {};
  const instances: Record<string, { node: string; serviceAccountId?: string }> = {};
  const resolve = (stack: string, v: unknown) => (typeof v === "string" ? resolveRefs(ctx, stack, v) : undefined);
  const region = (zone: string) => zone.replace(/-[a-z]$/, "");
  const zoneOf = (stack: string) => String(stacks[stack].provider?.yandex?.[0]?.zone ?? "ru-central1-a");

  for (const vm of resourcesOf(stacks, "yandex_compute_instance")) {
    const node = byCloudName.get(String(vm.body.name));
    if (!node) throw new Error(`no local node plays the VM ${String(vm.body.name)}; add it to scripts/lib/local-nodes.conf`);
    userData[node.node] = resolve(vm.stack, vm.body.metadata?.["user-data"]) ?? "";
    names[node.node] = `${String(vm.body.hostname ?? vm.body.name)}.${region(String(vm.body.zone ?? zoneOf(vm.stack)))}.internal`;
    instances[node.address] = { node: node.node, serviceAccountId: resolve(vm.stack, vm.body.service_account_id) };
  }

  const groups = resourcesOf(stacks, "yandex_compute_instance_group");
  if (groups.length !== 1) throw new Error(`expected one instance group in the stacks, found ${groups.length}`);
  const ig = groups[0];
  const template = ig.body.instance_template;
  const size = Number(ig.body.scale_policy?.fixed_scale?.size);
  const members: { node: string; address: string }[] = [];
  for (let index = 1; index <= size; index++) {
    const cloudName = fillInstancePlaceholders(String(template.name), index);
    const node = byCloudName.get(cloudName);
    if (!node) throw new Error(`no local node plays instance ${cloudName} of the group; add it to scripts/lib/local-nodes.conf`);
    userData[node.node] = fillInstancePlaceholders(resolve(ig.stack, template.metadata?.["user-data"]) ?? "", index);
    const zone = String(ig.body.allocation_policy?.zones?.[0] ?? zoneOf(ig.stack));
    names[node.node] = `${fillInstancePlaceholders(String(template.hostname ?? template.name), index)}.${region(zone)}.internal`;
    instances[node.address] = { node: node.node, serviceAccountId: resolve(ig.stack, template.service_account_id) };
    members.push({ node: node.node, address: node.address });
  }
  const hc = ig.body.health_check?.[0];
  if (!hc?.http_options) throw new Error("the instance group has no HTTP health check");

  for (const s of resourcesOf(stacks, "yandex_lockbox_secret")) {
    const id = localId(s.stack, s.address);
    secrets[id] = { name: String(s.body.name), entries: {} };
    // Lockbox generates the password once; a later apply keeps it.
    const spec = s.body.password_payload_specification;
    if (spec?.password_key) {
      const key = String(spec.password_key);
      secrets[id].entries[key] = previous?.secrets[id]?.entries[key] ?? generatePassword(spec);
    }
  }
  for (const v of resourcesOf(stacks, "yandex_lockbox_secret_version")) {
    const id = resolve(v.stack, v.body.secret_id) ?? "";
    if (!secrets[id]) throw new Error(`Lockbox version ${v.address} belongs to no secret`);
    for (const e of v.body.entries ?? []) secrets[id].entries[String(e.key)] = resolve(v.stack, e.text_value) ?? "";
  }
  const grants = resourcesOf(stacks, "yandex_lockbox_secret_iam_member").map((g) => ({
    secretId: resolve(g.stack, g.body.secret_id) ?? "",
    member: resolve(g.stack, g.body.member) ?? "",
    role: String(g.body.role),
  }));

  // The controller's variables and environment; how to reach the hosts is the local inventory's own.
  const run = controllerRun(stacks);
  const allVars = JSON.parse(resolveRefs(ctx, run.stack, JSON.stringify(run.vars))) as Record<string, unknown>;
  const groupVars = Object.fromEntries(Object.entries(allVars).filter(([k]) => !k.startsWith("ansible_")));
  const controllerEnv = Object.fromEntries(
    CONTROLLER_ENV.filter((k) => run.env[k] !== undefined).map((k) => [k, resolveRefs(ctx, run.stack, String(run.env[k]))]),
  );

  return {
    userData,
    names,
    groupVars,
    controllerEnv,
    state: {
      instances,
      secrets,
      grants,
      group: {
        members,
        healthCheck: healthCheckOf(hc),
        startupS: Number(ig.body.max_checking_health_duration ?? ig.body.deploy_policy?.startup_duration ?? 0),
        healAction: Number(ig.body.deploy_policy?.max_expansion ?? 0) > 0 ? "recreate" : "restart",
      },
      balancer: frontendBalancer(stacks, (stack, v) => resolve(stack, v)),
    },
  };
}

/** The external balancer: its listeners, its target group's addresses and its health check (none: undefined). */
function frontendBalancer(stacks: Record<string, StackJson>, resolve: (stack: string, v: unknown) => string | undefined): BalancerState | undefined {
  const lbs = resourcesOf(stacks, "yandex_lb_network_load_balancer").filter((lb) =>
    ((lb.body.listener ?? []) as StackJson[]).some((l) => l.external_address_spec !== undefined),
  );
  if (lbs.length === 0) return undefined;
  if (lbs.length > 1) throw new Error(`expected one external load balancer in the stacks, found ${lbs.length}`);
  const lb = lbs[0];
  const attached = lb.body.attached_target_group?.[0];
  const hc = attached?.healthcheck?.[0];
  if (!hc?.http_options) throw new Error(`${lb.address} has no HTTP health check`);
  const groupId = resolve(lb.stack, attached.target_group_id);
  const group = resourcesOf(stacks, "yandex_lb_target_group").find((g) => localId(g.stack, g.address) === groupId);
  if (!group) throw new Error(`${lb.address} balances a target group that is not in the stacks`);
  return {
    listeners: (lb.body.listener as StackJson[]).map((l) => ({ port: Number(l.target_port ?? l.port), protocol: l.protocol === "udp" ? "udp" : "tcp" })),
    targets: (group.body.target as StackJson[]).map((t) => resolve(group.stack, t.address) ?? ""),
    healthCheck: healthCheckOf(hc),
  };
}

/** Writes a file only readable by its owner, replacing it whole. */
function writePrivate(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file + ".tmp", content, { mode: 0o600 });
  fs.renameSync(file + ".tmp", file);
}

function main(argv: string[]): void {
  const [outdir, stateDir, ...specs] = argv;
  if (!outdir || !stateDir || specs.length === 0) {
    throw new Error("usage: apply.ts CDKTF_OUTDIR STATE_DIR NODE=CLOUD_NAME=ADDRESS...");
  }
  const nodes = specs.map((spec) => {
    const [node, cloudName, address] = spec.split("=");
    if (!node || !cloudName || !address) throw new Error(`bad node ${spec}: write NODE=CLOUD_NAME=ADDRESS`);
    return { node, cloudName, address };
  });
  const stateFile = path.join(stateDir, "cloud.json");
  const previous = fs.existsSync(stateFile) ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as CloudState) : undefined;
  const out = applyLocally(outdir, nodes, previous);
  for (const [node, ud] of Object.entries(out.userData)) writePrivate(path.join(stateDir, "seeds", node, "user-data"), ud);
  writePrivate(stateFile, JSON.stringify(out.state, null, 2) + "\n");
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  writePrivate(path.join(stateDir, "controller.env"), Object.entries(out.controllerEnv).map(([k, v]) => `${k}=${quote(v)}\n`).join(""));
  writePrivate(path.join(stateDir, "names"), Object.entries(out.names).map(([n, fqdn]) => `${n} ${fqdn}\n`).join(""));
  writePrivate(
    path.join(stateDir, "group_vars.yml"),
    "# Generated from the synthesized frontend stack's inventory; do not edit.\n" + stringify(out.groupVars, { lineWidth: 0 }),
  );
}

if (require.main === module) runCli(main);
