// The local stand-in of the frontends' external network load balancer, built from
// the synthesized balancer (cloud.json "balancer"): it health-checks every target as
// the balancer's health check says and keeps the host's NAT chain CHAIN sending new
// connections (and new UDP flows) on each listener's port to the healthy targets,
// spread at random. Like the cloud's balancer it passes packets through: a
// connection stays with the target it started on (conntrack keeps its translation),
// so a frontend that drains finishes its connections while new ones go elsewhere.
// With no healthy target it sends to all of them (nothing to lose by trying).
// Transitions go to stdout, one line each: "<ISO time> <target> healthy|unhealthy".
//
//   node --import tsx local-cloud/balancer.ts CLOUD_JSON CHAIN
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import type { BalancerState, GroupHealthCheck } from "./apply";
import { runCli } from "./cli";
import { passesHealthCheck } from "./health-check";

const run = promisify(execFile);

/** A target's standing: healthy after healthyThreshold passes in a row, unhealthy after unhealthyThreshold failures. */
export interface TargetHealth {
  healthy: boolean;
  passes: number;
  failures: number;
}

/** Counts one check; true when the target's standing changed. */
export function observe(t: TargetHealth, passed: boolean, hc: GroupHealthCheck): boolean {
  if (passed) {
    t.passes += 1;
    t.failures = 0;
    if (!t.healthy && t.passes >= hc.healthyThreshold) return (t.healthy = true);
  } else {
    t.failures += 1;
    t.passes = 0;
    if (t.healthy && t.failures >= hc.unhealthyThreshold) return !(t.healthy = false);
  }
  return false;
}

/**
 * The chain's rules for the targets in service: per listener, target i of n takes a
 * new flow with probability 1/(n-i) of what the earlier ones left, so each gets 1/n.
 */
export function chainRules(chain: string, b: BalancerState, inService: readonly string[]): string[] {
  const targets = inService.length > 0 ? inService : b.targets;
  return b.listeners.flatMap((l) =>
    targets.map((t, i) => {
      const left = targets.length - i;
      const pick = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(6)}` : "";
      return `-A ${chain} -p ${l.protocol} --dport ${l.port}${pick} -j DNAT --to-destination ${t}:${l.port}`;
    }),
  );
}

/** Replaces the chain's rules in one iptables-restore transaction (no moment without rules). */
async function program(chain: string, rules: string[]): Promise<void> {
  const input = ["*nat", `:${chain} - [0:0]`, ...rules, "COMMIT", ""].join("\n");
  await new Promise<void>((resolve, reject) => {
    const child = execFile("iptables-restore", ["--noflush"], (err) => (err ? reject(new Error(`iptables-restore: ${err.message}`)) : resolve()));
    child.stdin?.end(input);
  });
}

const log = (who: string, event: string) => console.log(`${new Date().toISOString()} ${who} ${event}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<void> {
  const [cloudJson, chain] = argv;
  if (!cloudJson || !chain) throw new Error("usage: balancer.ts CLOUD_JSON CHAIN");
  const { balancer } = JSON.parse(fs.readFileSync(cloudJson, "utf8")) as { balancer?: BalancerState };
  if (!balancer) throw new Error(`${cloudJson} holds no balancer: the stacks synthesize none`);
  await run("iptables", ["-t", "nat", "-S", chain]).catch(() => {
    throw new Error(`the NAT chain ${chain} does not exist: scripts/local-nodes.sh creates it with its jumps`);
  });
  const hc = balancer.healthCheck;
  // Start from what answers now, so a restart of the stand-in does not empty the chain.
  const health = new Map(
    await Promise.all(balancer.targets.map(async (t) => [t, { healthy: await passesHealthCheck(t, hc), passes: 0, failures: 0 }] as const)),
  );
  let programmed = "";
  log("balancer", `targets ${balancer.targets.join(" ")}, ports ${balancer.listeners.map((l) => `${l.port}/${l.protocol}`).join(" ")}, check every ${hc.intervalS}s on :${hc.port}${hc.path}`);
  for (;;) {
    const round = Date.now();
    const results = await Promise.all(balancer.targets.map((t) => passesHealthCheck(t, hc)));
    balancer.targets.forEach((t, i) => {
      const h = health.get(t)!;
      if (observe(h, results[i], hc)) log(t, h.healthy ? "healthy" : "unhealthy");
    });
    const inService = balancer.targets.filter((t) => health.get(t)!.healthy);
    const rules = chainRules(chain, balancer, inService);
    if (rules.join("\n") !== programmed) {
      await program(chain, rules);
      programmed = rules.join("\n");
      log("balancer", `in service: ${inService.length > 0 ? inService.join(" ") : `none healthy, sending to all (${balancer.targets.join(" ")})`}`);
    }
    await sleep(Math.max(0, hc.intervalS * 1000 - (Date.now() - round)));
  }
}

if (require.main === module) runCli(main);
