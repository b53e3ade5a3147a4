// The target installation as the Ansible inventory describes it: nodes per group,
// how to reach them over SSH, the public URL and the customer's email.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
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
  /** Variables of group "all" (inventory file and inventory group_vars/all, as Ansible merges them). */
  vars: Record<string, unknown>;
}

type Vars = Record<string, unknown>;

/** What `ansible-inventory --list` prints: hosts per group, every host's merged variables. */
type InventoryList = Partial<Record<string, { hosts?: string[]; vars?: Vars }>> & { _meta?: { hostvars?: Record<string, Vars> } };

const GROUPS = ["db", "app", "frontend"] as const;

/**
 * Asks Ansible itself how it reads the inventory (group_vars next to it, precedence),
 * so the suite reaches the nodes exactly as the playbooks do.
 */
function ansibleInventory(file: string, ...flags: string[]): InventoryList {
  try {
    const out = execFileSync("ansible-inventory", ["-i", file, "--list", ...flags], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out) as InventoryList;
  } catch (err) {
    const e = err as Error & { code?: string; stderr?: string };
    if (e.code === "ENOENT") throw new Error("ansible-inventory is not installed: install Ansible (apt-get install ansible-core)");
    throw new Error(`ansible-inventory cannot read ${file}: ${(e.stderr ?? e.message).trim()}`);
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);

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
  const list = ansibleInventory(file);
  const hostvars = list._meta?.hostvars ?? {};
  const nodes: InventoryNode[] = [];
  for (const group of GROUPS) {
    for (const name of list[group]?.hosts ?? []) {
      const v = hostvars[name] ?? {};
      const host = str(v.ansible_host) ?? name;
      nodes.push({
        name,
        group,
        host,
        privateAddress: str(v.private_address) ?? host,
        sshUser: str(v.ansible_user) ?? "ansible",
        sshPort: Number(v.ansible_port ?? 22),
        sshKey: str(v.ansible_ssh_private_key_file) || undefined,
        sshArgs: splitShellWords(str(v.ansible_ssh_common_args) ?? ""),
      });
    }
  }
  // --export keeps the variables at the group they belong to: group all's are the installation's.
  const vars = ansibleInventory(file, "--export").all?.vars ?? {};
  const kind = /inventories\/cloud\//.test(file) ? "cloud" : "local";
  return { kind, path: file, nodes, vars };
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
