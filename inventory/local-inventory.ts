// The local nodes' inventory (scripts/local-nodes.sh): the nodes answer on the
// Docker network at fixed addresses, and the DB and app nodes are reached through
// the jump node as the DB and app VMs are through the first frontend in the cloud.
import { INVENTORY_GROUPS, type InventoryDescription, type InventoryGroup, type InventoryHost } from "./ansible-inventory";

export interface LocalInventoryNode {
  readonly name: string;
  readonly group: string;
  readonly address: string;
}

export interface LocalInventoryOptions {
  readonly nodes: readonly LocalInventoryNode[];
  /** The node the others are reached through. */
  readonly jumpNode: string;
  readonly user: string;
  readonly keyFile: string;
  readonly knownHostsFile: string;
  /** The options `local-nodes.sh ssh` uses (key, known hosts, timeouts): the hop to the jump node's. */
  readonly sshOpts: string;
}

export function localInventory(options: LocalInventoryOptions): InventoryDescription {
  const groups: Record<InventoryGroup, Record<string, InventoryHost>> = { db: {}, app: {}, frontend: {} };
  // A DB or app node's own options: the hop's without the key, which all.vars gives.
  const proxiedOpts = withoutKeyOption(options.sshOpts);
  for (const node of options.nodes) {
    if (!isInventoryGroup(node.group)) throw new Error(`node ${node.name}: unknown group '${node.group}' (groups are: ${INVENTORY_GROUPS.join(" ")})`);
    const viaJumpHost = node.group !== "frontend";
    groups[node.group][node.name] = {
      address: node.address,
      privateAddress: node.address,
      ...(viaJumpHost ? { sshArgs: proxiedOpts, viaJumpHost } : {}),
    };
  }
  return {
    vars: {
      ansible_user: options.user,
      ansible_ssh_private_key_file: options.keyFile,
      ansible_ssh_common_args: `-o IdentitiesOnly=yes -o UserKnownHostsFile=${options.knownHostsFile} -o StrictHostKeyChecking=accept-new`,
    },
    groups,
    jumpHost: { host: options.jumpNode, user: options.user, sshArgs: options.sshOpts },
  };
}

function isInventoryGroup(group: string): group is InventoryGroup {
  return (INVENTORY_GROUPS as readonly string[]).includes(group);
}

function withoutKeyOption(opts: string): string {
  const words = opts.split(/\s+/).filter((w) => w !== "");
  const key = words.indexOf("-i");
  return (key < 0 ? words : [...words.slice(0, key), ...words.slice(key + 2)]).join(" ");
}
