// The local stand-in of the instance group's auto-healing: it checks each app node
// with the group's synthesized health check and re-creates a failed one from a
// blank disk with the template's user-data, under the same name, as the group's
// recovery policy does in the cloud:
//   - a node whose VM is gone or stopped fails at once (the group's operability check);
//   - a running node fails after unhealthy_threshold failed checks in a row;
//   - a new node has max_checking_health_duration to pass healthy_threshold checks;
//   - one node is re-created at a time (deploy_policy.max_creating = 1);
//   - a node with a hold file (make node-down) is left alone, as a group whose
//     processes are paused leaves its instances.
// Events go to stdout, one line each: "<ISO time> <node> <event> [detail]".
//
//   node --import tsx local-cloud/instance-group.ts CLOUD_JSON HOLD_DIR LOCAL_NODES_SCRIPT
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { CloudState, GroupHealthCheck } from "./apply";

const run = promisify(execFile);

type Phase = "starting" | "running";

interface Member {
  readonly node: string;
  readonly address: string;
  phase: Phase;
  since: number;
  passes: number;
  failures: number;
}

/** What one round of checks decides for a member. */
export type Verdict = "ok" | "recreate";

/**
 * The group's rule for one observation. vmUp: the VM (container) runs; healthy:
 * the health check passed. Mutates the member's counters.
 */
export function judge(m: Member, vmUp: boolean, healthy: boolean, hc: GroupHealthCheck, startupS: number, now: number): Verdict {
  if (!vmUp) return "recreate";
  if (healthy) {
    m.passes += 1;
    m.failures = 0;
    if (m.phase === "starting" && m.passes >= hc.healthyThreshold) {
      m.phase = "running";
      m.since = now;
    }
    return "ok";
  }
  m.passes = 0;
  m.failures += 1;
  if (m.phase === "starting") return now - m.since > startupS * 1000 ? "recreate" : "ok";
  return m.failures >= hc.unhealthyThreshold ? "recreate" : "ok";
}

export function newMember(node: string, address: string, phase: Phase, now: number): Member {
  return { node, address, phase, since: now, passes: 0, failures: 0 };
}

async function healthy(address: string, hc: GroupHealthCheck): Promise<boolean> {
  try {
    const res = await fetch(`http://${address}:${hc.port}${hc.path}`, { signal: AbortSignal.timeout(hc.timeoutS * 1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function vmRunning(script: string, node: string): Promise<boolean> {
  try {
    const { stdout } = await run(script, ["state", node], { timeout: 30_000 });
    return stdout.trim() === "running";
  } catch {
    return false;
  }
}

const log = (node: string, event: string, detail = "") => console.log(`${new Date().toISOString()} ${node} ${event}${detail ? " " + detail : ""}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<void> {
  const [cloudJson, holdDir, script] = argv;
  if (!cloudJson || !holdDir || !script) throw new Error("usage: instance-group.ts CLOUD_JSON HOLD_DIR LOCAL_NODES_SCRIPT");
  const { group } = JSON.parse(fs.readFileSync(cloudJson, "utf8")) as CloudState;
  const hc = group.healthCheck;
  const now0 = Date.now();
  const members = await Promise.all(
    group.members.map(async (m) => newMember(m.node, m.address, (await healthy(m.address, hc)) ? "running" : "starting", now0)),
  );
  log("group", "watching", `${members.map((m) => `${m.node}:${m.phase}`).join(" ")} every ${hc.intervalS}s on :${hc.port}${hc.path}`);
  for (;;) {
    const round = Date.now();
    for (const m of members) {
      if (fs.existsSync(path.join(holdDir, m.node))) {
        Object.assign(m, newMember(m.node, m.address, m.phase, Date.now()));
        continue;
      }
      const [up, ok] = await Promise.all([vmRunning(script, m.node), healthy(m.address, hc)]);
      const wasRunning = m.phase === "running";
      if (judge(m, up, ok, hc, group.startupS, Date.now()) === "recreate") {
        log(m.node, "unhealthy", up ? `${m.failures} failed checks` : "instance is gone or stopped");
        log(m.node, "recreating");
        try {
          await run(script, ["recreate", m.node], { timeout: 300_000 });
          log(m.node, "recreated");
        } catch (err) {
          log(m.node, "recreate-failed", String((err as Error).message).split("\n")[0]);
        }
        Object.assign(m, newMember(m.node, m.address, "starting", Date.now()));
      } else if (!wasRunning && m.phase === "running") {
        log(m.node, "healthy");
      }
    }
    await sleep(Math.max(0, hc.intervalS * 1000 - (Date.now() - round)));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
}
