// The target installation as the Ansible inventory describes it: nodes per group,
// how to reach them over SSH, the public URL and the customer's email.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { splitShellWords } from "./shell-words.js";

export interface InventoryNode {
  name: string;
  group: "db" | "app" | "frontend";
  /** Address SSH connects to. */
  host: string;
  /** Address on the private network (what nginx and the app nodes use). */
  privateAddress: string;
  sshUser: string;
  sshPort: number;
  sshKey?: string;
  sshArgs: string[];
}

export interface Inventory {
  kind: "local" | "cloud";
  path: string;
  nodes: InventoryNode[];
  /** Variables of group "all" (inventory file and inventory group_vars/all). */
  vars: Record<string, unknown>;
}

type Vars = Record<string, unknown>;
interface GroupYaml {
  vars?: Vars;
  hosts?: Record<string, Vars | null>;
  children?: Record<string, GroupYaml | null>;
}

const GROUPS = ["db", "app", "frontend"] as const;

function readYaml(file: string): Vars {
  const data: unknown = parse(readFileSync(file, "utf8"));
  return data && typeof data === "object" ? (data as Vars) : {};
}

/** group_vars/<group>.yml and group_vars/<group>/*.yml next to the inventory, merged. */
function groupVarsFiles(dir: string, group: string): Vars {
  const merged: Vars = {};
  const file = path.join(dir, "group_vars", `${group}.yml`);
  if (existsSync(file)) Object.assign(merged, readYaml(file));
  const folder = path.join(dir, "group_vars", group);
  if (existsSync(folder)) {
    for (const f of readdirSync(folder).filter((n) => /\.ya?ml$/.test(n)).sort()) Object.assign(merged, readYaml(path.join(folder, f)));
  }
  return merged;
}

/** Picks the inventory: INVENTORY, else the cloud one when cloud credentials are set, else the local one. */
export function inventoryPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.INVENTORY) return path.resolve(env.INVENTORY);
  const cloud = path.join(root, "ansible/inventories/cloud/hosts.yml");
  const hasCredentials = Boolean(env.YC_TOKEN || env.YC_IAM_TOKEN || env.YC_SERVICE_ACCOUNT_KEY_FILE);
  if (hasCredentials && existsSync(cloud)) return cloud;
  return path.join(root, "ansible/inventories/local/hosts.yml");
}

export function loadInventory(file: string): Inventory {
  if (!existsSync(file)) throw new Error(`no inventory at ${file}: deploy first (make deploy), or set INVENTORY=...`);
  const doc = readYaml(file) as { all?: GroupYaml };
  const all = doc.all ?? {};
  const dir = path.dirname(file);
  const allVars: Vars = { ...groupVarsFiles(dir, "all"), ...(all.vars ?? {}) };
  const nodes: InventoryNode[] = [];
  for (const group of GROUPS) {
    const g = all.children?.[group] ?? undefined;
    if (!g) continue;
    const groupVars: Vars = { ...allVars, ...groupVarsFiles(dir, group), ...(g.vars ?? {}) };
    for (const [name, hostVars] of Object.entries(g.hosts ?? {})) {
      const v: Vars = { ...groupVars, ...(hostVars ?? {}) };
      const host = String(v.ansible_host ?? name);
      nodes.push({
        name,
        group,
        host,
        privateAddress: String(v.private_address ?? host),
        sshUser: String(v.ansible_user ?? "ansible"),
        sshPort: Number(v.ansible_port ?? 22),
        sshKey: v.ansible_ssh_private_key_file ? String(v.ansible_ssh_private_key_file) : undefined,
        sshArgs: splitShellWords(String(v.ansible_ssh_common_args ?? "")),
      });
    }
  }
  const kind = /inventories\/cloud\//.test(file) ? "cloud" : "local";
  return { kind, path: file, nodes, vars: allVars };
}

export function nodesOf(inventory: Inventory, group: InventoryNode["group"]): InventoryNode[] {
  return inventory.nodes.filter((n) => n.group === group);
}

export function firstOf(inventory: Inventory, group: InventoryNode["group"]): InventoryNode {
  const node = nodesOf(inventory, group)[0];
  if (!node) throw new Error(`the inventory ${inventory.path} has no host in group '${group}'`);
  return node;
}

/** The public URL: PUBLIC_URL-like inventory variable, else the frontend's address (local: localhost). */
export function defaultUrl(inventory: Inventory): string {
  const configured = inventory.vars.bingo_public_url ?? inventory.vars.frontend_public_url;
  if (typeof configured === "string" && configured) return configured;
  if (inventory.kind === "local") return "http://localhost";
  const frontend = firstOf(inventory, "frontend");
  return `http://${frontend.host}`;
}
