// The five drills of the acceptance suite, for the local nodes and for the cloud.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Inventory, InventoryNode } from "../target/inventory.js";
import { firstOf, nodesOf } from "../target/inventory.js";
import { mustRunOn, runOn } from "../target/ssh.js";
import type { DrillPlan } from "./drill.js";
import { waitUntil, type HealthTargets } from "./health.js";

const run = promisify(execFile);

export const DRILL_NAMES = ["container-kill", "degrade", "node-stop", "pgbouncer-restart", "nginx-restart"] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

/** The bingo port of an app node, as the role recorded it in its local facts. */
export async function bingoPort(node: InventoryNode): Promise<number> {
  const fact = JSON.parse(await mustRunOn(node, "cat /etc/ansible/facts.d/bingo.fact")) as { port?: unknown };
  const port = Number(fact.port);
  if (!(port > 0)) throw new Error(`no port in /etc/ansible/facts.d/bingo.fact on ${node.name}`);
  return port;
}

/** How long a stopped node may take to run its bingo container again after the drill. */
const CONTAINER_BACK_S = 90;

/** What the health gate probes: every app node's own /ping, and the public one. */
export async function healthTargets(inventory: Inventory, publicUrl: URL): Promise<HealthTargets> {
  const apps = nodesOf(inventory, "app");
  if (!apps.length) throw new Error(`no app node in ${inventory.path}`);
  return {
    frontend: firstOf(inventory, "frontend"),
    apps: await Promise.all(apps.map(async (node) => ({ node, url: `http://${node.privateAddress}:${await bingoPort(node)}` }))),
    publicUrl,
  };
}

export async function drillPlans(inventory: Inventory, root: string, names: readonly DrillName[]): Promise<DrillPlan[]> {
  const app = nodesOf(inventory, "app")[0];
  if (!app) throw new Error(`no app node in ${inventory.path}`);
  const frontend = firstOf(inventory, "frontend");
  const db = firstOf(inventory, "db");
  const port = await bingoPort(app);
  const appUrl = `http://${app.privateAddress}:${port}`;
  const appPing = `curl -s -m 1 ${appUrl}/ping`;
  const localNodes = path.join(root, "scripts/local-nodes.sh");

  const plans: Record<DrillName, DrillPlan> = {
    "container-kill": {
      name: "container-kill",
      what: `kill the bingo container on ${app.name}`,
      breaks: app.name,
      probeOn: frontend,
      probeCommand: appPing,
      breakIt: async () => void (await mustRunOn(app, "sudo docker kill bingo")),
    },
    degrade: {
      name: "degrade",
      what: `degrade bingo on ${app.name} through /operation`,
      breaks: app.name,
      probeOn: frontend,
      probeCommand: appPing,
      breakIt: async () =>
        void (await mustRunOn(frontend, `curl -s -m 5 -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"operation": 21474836480}' ${appUrl}/operation || true`)),
    },
    "node-stop":
      inventory.kind === "local"
        ? {
            name: "node-stop",
            what: `stop the whole node ${app.name}`,
            breaks: app.name,
            probeOn: frontend,
            probeCommand: appPing,
            breakIt: async () => void (await run(localNodes, ["down", app.name, "stop"], { timeout: 60_000 })),
            restore: async () => void (await run(localNodes, ["up", app.name], { timeout: 120_000 })),
            restoreAfterS: 20,
            afterwards: () => containerRunning(app),
            afterwardsWhat: `the bingo container running on ${app.name}`,
          }
        : {
            // In the cloud the instance group notices the stopped VM and starts it again.
            name: "node-stop",
            what: `power off the VM ${app.name}`,
            breaks: app.name,
            probeOn: frontend,
            probeCommand: appPing,
            breakIt: async () => void (await mustRunOn(app, "sudo systemctl --no-block poweroff").catch(() => undefined)),
            afterwards: () => containerRunning(app),
            afterwardsWhat: `the bingo container running on ${app.name}`,
          },
    "pgbouncer-restart": {
      name: "pgbouncer-restart",
      what: "restart pgbouncer",
      probeOn: db,
      probeCommand: "pg_isready -q -h 127.0.0.1 -p 6432 && echo pong",
      breakIt: async () => void (await mustRunOn(db, "sudo systemctl restart pgbouncer")),
    },
    "nginx-restart": {
      name: "nginx-restart",
      what: "restart nginx",
      probeOn: frontend,
      probeCommand: "curl -s -m 1 http://127.0.0.1/ping",
      breakIt: async () => void (await mustRunOn(frontend, "sudo systemctl restart nginx")),
    },
  };
  return names.map((n) => plans[n]);
}

/** Waits until docker on the node reports the bingo container running. */
function containerRunning(node: InventoryNode): Promise<boolean> {
  return waitUntil(async () => (await runOn(node, "sudo docker inspect -f '{{.State.Running}}' bingo", 15_000)).stdout.trim() === "true", CONTAINER_BACK_S, 2_000);
}
