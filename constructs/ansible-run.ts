import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { Resource } from "@cdktf/provider-null/lib/resource";
import { assertRange } from "./validate";

export interface AnsibleRunProps {
  /** Inventory YAML; may hold Terraform references (addresses of created VMs). */
  readonly inventory: string;
  /** Where the inventory is written on the controller (absolute). */
  readonly inventoryPath: string;
  /** Playbooks to run, relative to ansibleDir. @default ["site.yml"] */
  readonly playbooks?: readonly string[];
  /** @default <repository>/ansible */
  readonly ansibleDir?: string;
  /**
   * The script that runs Ansible (waits for the hosts, runs the playbooks,
   * checks); it gets the inventory path as its argument. @default <repository>/scripts/controller-run.sh
   */
  readonly script?: string;
  /** Seconds to wait for SSH and for cloud-init on each host (BINGO_WAIT_SECONDS). @default 3600 */
  readonly waitSeconds?: number;
  /** Extra environment of the script (names in upper case), e.g. EXPECTED_APP_PORT. @default {} */
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

const RESERVED = ["INVENTORY_B64", "INVENTORY_PATH", "CONTROLLER_RUN", "BINGO_WAIT_SECONDS", "BINGO_PLAYBOOKS"];

/**
 * Runs the Ansible playbooks against the created VMs: writes the inventory from
 * their addresses (owner-only), then hands it to the controller's script, the
 * same one `make deploy` runs for the local nodes. It runs again whenever the
 * inventory, the script or anything under ansible/ (but the inventories) changes.
 */
export class AnsibleRun extends Construct {
  /** The digest of the playbooks and roles this run was synthesized with. */
  readonly playbooksDigest: string;

  constructor(scope: Construct, id: string, props: AnsibleRunProps) {
    super(scope, id);
    const root = path.resolve(__dirname, "..");
    const ansibleDir = props.ansibleDir ?? path.join(root, "ansible");
    const script = props.script ?? path.join(root, "scripts", "controller-run.sh");
    const playbooks = props.playbooks ?? ["site.yml"];
    if (!path.isAbsolute(props.inventoryPath)) {
      throw new Error(`AnsibleRun: inventoryPath "${props.inventoryPath}" must be absolute (Terraform runs the command from the stack's folder)`);
    }
    if (!path.isAbsolute(script) || !fs.existsSync(script)) {
      throw new Error(`AnsibleRun: script "${script}" must be an absolute path of an existing file (scripts/controller-run.sh)`);
    }
    if (playbooks.length === 0) throw new Error("AnsibleRun: playbooks is empty; name at least one, e.g. [\"site.yml\"]");
    for (const p of playbooks) {
      if (!fs.existsSync(path.join(ansibleDir, p)) || /\s/.test(p)) {
        throw new Error(`AnsibleRun: playbook ${p} does not exist under ${ansibleDir}; fix the name in playbooks`);
      }
    }
    const wait = props.waitSeconds ?? 3600;
    assertRange("AnsibleRun", "waitSeconds", wait, 60, 86400);
    for (const name of Object.keys(props.environment ?? {})) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || RESERVED.includes(name)) {
        throw new Error(`AnsibleRun: environment name ${name} is not allowed; use upper-case names other than ${RESERVED.join(", ")}`);
      }
    }
    this.playbooksDigest = treeDigest(ansibleDir);
    const scriptDigest = crypto.createHash("sha256").update(fs.readFileSync(script)).digest("hex");

    const command = [
      "set -euo pipefail",
      // The inventory names every host and how to reach it: readable by this user only.
      "umask 077",
      'mkdir -p "$(dirname "$INVENTORY_PATH")"',
      'printf %s "$INVENTORY_B64" | base64 -d >"$INVENTORY_PATH"',
      'exec "$CONTROLLER_RUN" "$INVENTORY_PATH"',
    ].join("\n");

    new Resource(this, "Run", {
      triggers: {
        inventory_sha256: Fn.sha256(props.inventory),
        playbooks_sha256: this.playbooksDigest,
        script_sha256: scriptDigest,
      },
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["/bin/bash", "-c"],
          command,
          environment: {
            ...props.environment,
            INVENTORY_B64: Fn.base64encode(props.inventory),
            INVENTORY_PATH: props.inventoryPath,
            CONTROLLER_RUN: script,
            BINGO_WAIT_SECONDS: String(wait),
            BINGO_PLAYBOOKS: playbooks.join(" "),
          },
        },
      ],
    });
  }
}
