// The database cluster as Patroni sees it: three DB nodes, one leader (the primary)
// and replicas. Asked on a DB node itself (`GET /cluster` of Patroni's REST API on
// 127.0.0.1), over the same SSH the suite uses for everything, so no port beyond SSH
// must be open to the tester.
import { setTimeout as sleep } from "node:timers/promises";
import type { InventoryNode } from "./inventory.js";
import { runOn } from "./ssh.js";

/** The port of Patroni's REST API (patroni_rest_port), and the API on a DB node, asked on the node itself. */
export const PATRONI_PORT = 8008;
export const PATRONI_URL = `http://127.0.0.1:${PATRONI_PORT}`;
const PATRONI_CLUSTER = `curl -fsS -m 5 ${PATRONI_URL}/cluster`;

export interface ClusterMember {
  /** Patroni's member name: the node's inventory name. */
  name: string;
  /** "leader" (the primary), "replica", "sync_standby", "quorum_standby", ... */
  role: string;
  /** "running", "streaming", "starting", "stopped", ... */
  state: string;
  /** The member's address, when Patroni gives one. */
  host?: string;
}

/** States of a member that serves: the leader runs, a replica runs or streams from the leader. */
const SERVING_STATES = new Set(["running", "streaming"]);

/** The members in the JSON of `GET /cluster` ({members: [{name, role, state, host, ...}]}); throws for anything else. */
export function parseCluster(json: string): ClusterMember[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error(`not the JSON of Patroni's /cluster: ${JSON.stringify(json.slice(0, 120))}`);
  }
  const members = (data as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) throw new Error(`no members in Patroni's /cluster: ${JSON.stringify(json.slice(0, 120))}`);
  return members.map((m: unknown) => {
    const r = (m ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
    return { name: text(r.name), role: text(r.role), state: text(r.state), host: text(r.host) || undefined };
  });
}

/** The member holding the leader lock (the primary), if any. */
export function leaderOf(members: readonly ClusterMember[]): ClusterMember | undefined {
  return members.find((m) => m.role === "leader");
}

/** The member standing for an inventory node: by name (Patroni's member names are the inventory's), else by address. */
export function memberOf(members: readonly ClusterMember[], node: Pick<InventoryNode, "name" | "privateAddress">): ClusterMember | undefined {
  return members.find((m) => m.name === node.name) ?? members.find((m) => m.host !== undefined && m.host === node.privateAddress);
}

/** Whether the node is in the cluster as a replica that runs (or streams): what a restored node must come back as. */
export function isServingReplica(members: readonly ClusterMember[], node: Pick<InventoryNode, "name" | "privateAddress">): boolean {
  const m = memberOf(members, node);
  return m !== undefined && m.role !== "leader" && SERVING_STATES.has(m.state);
}

/** What keeps the cluster from being whole: no leader, a node missing, or a member not serving. Empty when whole. */
export function clusterProblems(members: readonly ClusterMember[], nodes: readonly Pick<InventoryNode, "name" | "privateAddress">[]): string[] {
  const problems: string[] = [];
  if (!leaderOf(members)) problems.push("no leader");
  for (const node of nodes) {
    const m = memberOf(members, node);
    if (!m) problems.push(`${node.name} not a member`);
    else if (!SERVING_STATES.has(m.state)) problems.push(`${node.name} ${m.role} ${m.state}`);
  }
  return problems;
}

/** A view of the cluster: its members as one DB node reported them. */
export interface ClusterView {
  /** The DB node that answered. */
  from: InventoryNode;
  members: ClusterMember[];
}

/**
 * The DB nodes of the inventory and who leads them. Every question goes to the DB
 * nodes in turn (the last leader first) until one answers, so a node that is down
 * only costs its SSH timeout.
 */
export class DbCluster {
  private lastLeader?: InventoryNode;

  constructor(readonly nodes: readonly InventoryNode[]) {
    if (!nodes.length) throw new Error("no DB node in the inventory (group 'db')");
  }

  /** The members, as the first DB node that answers reports them. */
  async view(): Promise<ClusterView> {
    const order = this.lastLeader ? [this.lastLeader, ...this.nodes.filter((n) => n !== this.lastLeader)] : [...this.nodes];
    const errors: string[] = [];
    for (const node of order) {
      const r = await runOn(node, PATRONI_CLUSTER, 20_000);
      if (r.code === 0) {
        try {
          return { from: node, members: parseCluster(r.stdout) };
        } catch (err) {
          errors.push(`${node.name}: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      errors.push(`${node.name}: exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 160)}`);
    }
    throw new Error(`no DB node answered '${PATRONI_CLUSTER}': ${errors.join("; ")}`);
  }

  /** The inventory node of a member. */
  nodeOf(member: ClusterMember): InventoryNode | undefined {
    return this.nodes.find((n) => n.name === member.name) ?? this.nodes.find((n) => member.host !== undefined && n.privateAddress === member.host);
  }

  /** The current leader's node; throws when the cluster has none (a failover under way) or it is not in the inventory. */
  async leader(): Promise<InventoryNode> {
    const { from, members } = await this.view();
    const leader = leaderOf(members);
    if (!leader) throw new Error(`no leader in the DB cluster (asked ${from.name}: ${describeMembers(members)})`);
    const node = this.nodeOf(leader);
    if (!node) throw new Error(`the leader '${leader.name}' (${leader.host ?? "no host"}) is not a DB node of the inventory`);
    this.lastLeader = node;
    return node;
  }

  /** The leader the last question found, if any (it may have changed since). */
  get knownLeader(): InventoryNode | undefined {
    return this.lastLeader;
  }

  /**
   * Waits (at most limitS seconds) until the cluster is whole: a leader, and every DB
   * node a member that runs. Returns the view then; throws with what was wrong.
   */
  async waitWhole(limitS: number): Promise<ClusterView> {
    const deadline = performance.now() + limitS * 1000;
    let problems = ["not asked"];
    for (;;) {
      try {
        const view = await this.view();
        problems = clusterProblems(view.members, this.nodes);
        if (!problems.length) {
          const leader = leaderOf(view.members);
          this.lastLeader = leader && this.nodeOf(leader);
          return view;
        }
      } catch (err) {
        problems = [err instanceof Error ? err.message : String(err)];
      }
      if (performance.now() + 2_000 > deadline) break;
      await sleep(2_000);
    }
    throw new Error(`the DB cluster was not whole within ${limitS} s: ${problems.join("; ")}`);
  }
}

/** "db1 leader running, db2 quorum_standby streaming". */
export function describeMembers(members: readonly ClusterMember[]): string {
  return members.length ? members.map((m) => `${m.name} ${m.role} ${m.state}`).join(", ") : "no members";
}
