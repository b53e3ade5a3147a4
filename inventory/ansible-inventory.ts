// The Ansible inventory of an installation, cloud or local, from a plain description:
// one writer, so both targets give the playbooks the same groups, host variables and
// the same way through the jump host.
import { stringify } from "yaml";

/** The groups the playbooks know, in the order the inventory lists them. */
export const INVENTORY_GROUPS = ["db", "app", "frontend"] as const;
export type InventoryGroup = (typeof INVENTORY_GROUPS)[number];

/** How Ansible reaches one host. */
export interface InventoryHost {
  /** Where SSH connects (ansible_host). */
  readonly address: string;
  /** The address the other nodes reach it at (private_address). */
  readonly privateAddress: string;
  /** This host's own SSH options (ansible_ssh_common_args); none: all.vars' apply. */
  readonly sshArgs?: string;
  /** Reached through the jump host: the DB and app nodes have no address of their own outside. */
  readonly viaJumpHost?: boolean;
}

/** The host the others are reached through: their ProxyCommand is `ssh SSH_ARGS -W %h:%p USER@ADDRESS`. */
export interface JumpHost {
  /** Its name in the inventory: the hop goes to that host's address. */
  readonly host: string;
  readonly user: string;
  /** The options of the hop (its key and known hosts among them). */
  readonly sshArgs: string;
}

export interface InventoryDescription {
  readonly vars: Readonly<Record<string, unknown>>;
  /** Each group's hosts by inventory name, in the order they are listed. */
  readonly groups: Readonly<Record<InventoryGroup, Readonly<Record<string, InventoryHost>>>>;
  readonly jumpHost?: JumpHost;
}

/** The inventory as YAML (no comment line: the caller says who generated it). */
export function inventoryYaml(description: InventoryDescription): string {
  return stringify(inventoryOf(description), { lineWidth: 0 });
}

/** The inventory as the object Ansible reads from the YAML. */
export function inventoryOf(description: InventoryDescription): { all: { vars: Record<string, unknown>; children: Record<string, unknown> } } {
  const proxy = proxyCommandOf(description);
  const children = Object.fromEntries(
    INVENTORY_GROUPS.map((group) => [
      group,
      {
        hosts: Object.fromEntries(
          Object.entries(description.groups[group]).map(([name, host]) => [name, hostVars(name, host, proxy)]),
        ),
      },
    ]),
  );
  return { all: { vars: { ...description.vars }, children } };
}

function hostVars(name: string, host: InventoryHost, proxy: string | undefined): Record<string, string> {
  const vars: Record<string, string> = { ansible_host: host.address, private_address: host.privateAddress };
  if (host.viaJumpHost) {
    if (!proxy) throw new Error(`${name} is reached through the jump host, but the inventory names none`);
    vars.ansible_ssh_common_args = host.sshArgs ? `${host.sshArgs} ${proxy}` : proxy;
  } else if (host.sshArgs) {
    vars.ansible_ssh_common_args = host.sshArgs;
  }
  return vars;
}

function proxyCommandOf(description: InventoryDescription): string | undefined {
  const jump = description.jumpHost;
  if (!jump) return undefined;
  const host = INVENTORY_GROUPS.map((group) => description.groups[group][jump.host]).find((h) => h !== undefined);
  if (!host) throw new Error(`the jump host ${jump.host} is not in the inventory`);
  if (host.viaJumpHost) throw new Error(`the jump host ${jump.host} cannot be reached through itself`);
  return `-o ProxyCommand='ssh ${jump.sshArgs} -W %h:%p ${jump.user}@${host.address}'`;
}
