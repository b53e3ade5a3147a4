import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { Resource } from "@cdktf/provider-null/lib/resource";

export interface AnsibleRunProps {
  /** Inventory YAML; may hold Terraform references (addresses of created VMs). */
  readonly inventory: string;
  /** Where the inventory is written on the controller (absolute). */
  readonly inventoryPath: string;
  /** Playbooks to run, relative to ansibleDir. @default ["site.yml"] */
  readonly playbooks?: readonly string[];
  /** @default <repository>/ansible */
  readonly ansibleDir?: string;
  /** Wait for SSH and for cloud-init to finish on every host first. @default true */
  readonly waitForHosts?: boolean;
  /** Seconds to wait for the hosts. @default 900 */
  readonly waitSeconds?: number;
  /**
   * Shell lines run after the playbooks, from the ansible folder with
   * $INVENTORY_PATH set; a non-zero exit fails the run (and the apply).
   * No "${" in them: Terraform would read it as an interpolation. @default []
   */
  readonly checks?: readonly string[];
  /** Extra environment of the command (names in upper case). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Digest of every file under dir (sorted, relative names included), skipping generated inventories. */
export function treeDigest(dir: string, skip: readonly string[] = ["inventories"]): string {
  const hash = crypto.createHash("sha256");
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const r = path.join(rel, e.name);
      if (skip.includes(r)) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) hash.update(r).update("\0").update(fs.readFileSync(path.join(dir, r))).update("\0");
    }
  };
  walk("");
  return hash.digest("hex");
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the Ansible playbooks against the created VMs: writes the inventory from
 * their addresses, waits for the hosts, then runs the playbooks. It runs again
 * whenever the inventory or anything under ansible/ (but the inventories) changes.
 */
export class AnsibleRun extends Construct {
  /** The digest of the playbooks and roles this run was synthesized with. */
  readonly playbooksDigest: string;

  constructor(scope: Construct, id: string, props: AnsibleRunProps) {
    super(scope, id);
    const ansibleDir = props.ansibleDir ?? path.resolve(__dirname, "..", "ansible");
    const playbooks = props.playbooks ?? ["site.yml"];
    if (!path.isAbsolute(props.inventoryPath)) {
      throw new Error(`AnsibleRun: inventoryPath "${props.inventoryPath}" must be absolute (Terraform runs the command from the stack's folder)`);
    }
    if (playbooks.length === 0) throw new Error("AnsibleRun: playbooks is empty; name at least one, e.g. [\"site.yml\"]");
    for (const p of playbooks) {
      if (!fs.existsSync(path.join(ansibleDir, p))) {
        throw new Error(`AnsibleRun: playbook ${p} does not exist under ${ansibleDir}; fix the name in playbooks`);
      }
    }
    const wait = props.waitSeconds ?? 900;
    for (const line of props.checks ?? []) {
      if (line.includes("${") || line.includes("%{")) {
        throw new Error(`AnsibleRun: check "${line}" contains "\${" or "%{", which Terraform interpolates; write $NAME instead of \${NAME}`);
      }
    }
    for (const name of Object.keys(props.environment ?? {})) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || ["INVENTORY_B64", "INVENTORY_PATH", "ANSIBLE_DIR"].includes(name)) {
        throw new Error(`AnsibleRun: environment name ${name} is not allowed; use upper-case names other than INVENTORY_B64, INVENTORY_PATH, ANSIBLE_DIR`);
      }
    }
    this.playbooksDigest = treeDigest(ansibleDir);

    const lines = [
      "set -euo pipefail",
      // The inventory holds the database password: readable by this user only.
      "umask 077",
      'mkdir -p "$(dirname "$INVENTORY_PATH")"',
      'printf %s "$INVENTORY_B64" | base64 -d >"$INVENTORY_PATH"',
      'export ANSIBLE_CONFIG="$ANSIBLE_DIR/ansible.cfg"',
      'cd "$ANSIBLE_DIR"',
    ];
    if (props.waitForHosts ?? true) {
      lines.push(
        `ansible all -i "$INVENTORY_PATH" -m ansible.builtin.wait_for_connection -a timeout=${wait}`,
        // Self-configuring VMs finish their own run before this one starts (exit 2 = finished with warnings).
        `ansible all -i "$INVENTORY_PATH" -b -m ansible.builtin.shell -a 'timeout ${wait} cloud-init status --wait >/dev/null; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ]'`,
      );
    }
    lines.push(`ansible-playbook -i "$INVENTORY_PATH" ${playbooks.map(shellQuote).join(" ")}`, ...(props.checks ?? []));

    new Resource(this, "Run", {
      triggers: {
        inventory_sha256: Fn.sha256(props.inventory),
        playbooks_sha256: this.playbooksDigest,
      },
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["/bin/bash", "-c"],
          command: lines.join("\n"),
          environment: {
            ...props.environment,
            INVENTORY_B64: Fn.base64encode(props.inventory),
            INVENTORY_PATH: props.inventoryPath,
            ANSIBLE_DIR: ansibleDir,
          },
        },
      ],
    });
  }
}
