// The local stand-in of the instance group's auto-healing, by the rules of Yandex's
// documentation (docs/cloud.md, "How the group heals"), with the group's synthesized settings:
//   - a deleted instance is created again from the template (blank disk, user-data,
//     the same name): the group keeps its fixed size;
//   - a stopped one is started again at once (the operability check);
//   - a running one that fails unhealthy_threshold health checks in a row is healed
//     as the deployment policy says: restarted in place (max_expansion = 0) or
//     re-created from the template (max_expansion > 0);
//   - a new one has max_checking_health_duration to pass healthy_threshold checks;
//   - one instance is healed at a time;
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
import { runCli } from "./cli";
import { passesHealthCheck } from "./health-check";

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

/** What one round of checks decides for a member: nothing, start the stopped VM, or heal it. */
export type Verdict = "ok" | "start" | "restart" | "recreate";

/** The VM as the group sees it: running (also when frozen: its status stays RUNNING), stopped, or deleted. */
export type VmState = "running" | "stopped" | "absent";

/**
 * The group's rule for one observation. healthy: the health check passed; heal: what the
 * deployment policy does to an unhealthy instance. Mutates the member's counters.
 */
export function judge(m: Member, vm: VmState, healthy: boolean, hc: GroupHealthCheck, startupS: number, now: number, heal: "restart" | "recreate"): Verdict {
  if (vm === "absent") return "recreate";
  if (vm === "stopped") return "start";
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
  if (m.phase === "starting") return now - m.since > startupS * 1000 ? heal : "ok";
  return m.failures >= hc.unhealthyThreshold ? heal : "ok";
}

export function newMember(node: string, address: string, phase: Phase, now: number): Member {
  return { node, address, phase, since: now, passes: 0, failures: 0 };
}

async function vmState(script: string, node: string): Promise<VmState> {
  try {
    const { stdout } = await run(script, ["state", node], { timeout: 30_000 });
    const state = stdout.trim();
    return state === "absent" ? "absent" : state === "running" || state === "paused" ? "running" : "stopped";
  } catch {
    return "running";
  }
}

/** What local-nodes.sh does for each verdict, and the event it is logged as. */
const ACTIONS = { start: ["restart", "starting"], restart: ["restart", "restarting"], recreate: ["recreate", "recreating"] } as const;

const log = (node: string, event: string, detail = "") => console.log(`${new Date().toISOString()} ${node} ${event}${detail ? " " + detail : ""}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<void> {
  const [cloudJson, holdDir, script] = argv;
  if (!cloudJson || !holdDir || !script) throw new Error("usage: instance-group.ts CLOUD_JSON HOLD_DIR LOCAL_NODES_SCRIPT");
  const { group } = JSON.parse(fs.readFileSync(cloudJson, "utf8")) as CloudState;
  const hc = group.healthCheck;
  const heal = group.healAction;
  const now0 = Date.now();
  const members = await Promise.all(
    group.members.map(async (m) => newMember(m.node, m.address, (await passesHealthCheck(m.address, hc)) ? "running" : "starting", now0)),
  );
  log("group", "watching", `${members.map((m) => `${m.node}:${m.phase}`).join(" ")} every ${hc.intervalS}s on :${hc.port}${hc.path}, healing by ${heal}`);
  for (;;) {
    const round = Date.now();
    for (const m of members) {
      if (fs.existsSync(path.join(holdDir, m.node))) {
        Object.assign(m, newMember(m.node, m.address, m.phase, Date.now()));
        continue;
      }
      const [vm, ok] = await Promise.all([vmState(script, m.node), passesHealthCheck(m.address, hc)]);
      const wasRunning = m.phase === "running";
      const verdict = judge(m, vm, ok, hc, group.startupS, Date.now(), heal);
      if (verdict !== "ok") {
        const [command, event] = ACTIONS[verdict];
        log(m.node, "unhealthy", vm === "running" ? `${m.failures} failed checks` : `instance is ${vm === "absent" ? "gone" : "stopped"}`);
        log(m.node, event);
        try {
          await run(script, [command, m.node], { timeout: 300_000 });
          log(m.node, `${command === "recreate" ? "recreated" : "restarted"}`);
        } catch (err) {
          log(m.node, `${command}-failed`, String((err as Error).message).split("\n")[0]);
        }
        Object.assign(m, newMember(m.node, m.address, "starting", Date.now()));
      } else if (!wasRunning && m.phase === "running") {
        log(m.node, "healthy");
      }
    }
    await sleep(Math.max(0, hc.intervalS * 1000 - (Date.now() - round)));
  }
}

if (require.main === module) runCli(main);
