// The drills of the acceptance suite, for the local nodes and for the cloud.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Inventory, InventoryNode } from "../target/inventory.js";
import { firstOf, nodesOf } from "../target/inventory.js";
import { mustRunOn, runOn } from "../target/ssh.js";
import type { Database } from "../target/database.js";
import type { DbCluster } from "../target/patroni.js";
import { dbNodeDrill } from "./db-drills.js";
import type { Drill } from "./drill.js";
import { waitUntil, type HealthTargets } from "./health.js";

const run = promisify(execFile);

export const DRILL_NAMES = [
  "container-kill",
  "degrade",
  "node-stop",
  "node-isolate",
  "pgbouncer-restart",
  "db-primary-kill",
  "db-replica-stop",
  "nginx-restart",
  "frontend-kill",
  "instance-recreate",
] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

/**
 * The host ports of an app node's bingo processes (bingo-1 on the first), as the role
 * recorded them in its local facts: "ports", or the one "port" of a node deployed before
 * there were several processes.
 */
export function factPorts(fact: { port?: unknown; ports?: unknown }): number[] {
  const ports = (Array.isArray(fact.ports) ? fact.ports : [fact.port]).map(Number);
  return ports.length > 0 && ports.every((p) => Number.isInteger(p) && p > 0) ? ports : [];
}

export async function bingoPorts(node: InventoryNode): Promise<number[]> {
  const ports = factPorts(JSON.parse(await mustRunOn(node, "cat /etc/ansible/facts.d/bingo.fact")) as object);
  if (!ports.length) throw new Error(`no ports in /etc/ansible/facts.d/bingo.fact on ${node.name}`);
  return ports;
}

/** How long a stopped node may take to run its bingo containers again after the drill. */
const CONTAINER_BACK_S = 90;

/** What the health gate probes: every process's own /ping on every app node, and the public one. */
export async function healthTargets(inventory: Inventory, publicUrl: URL): Promise<HealthTargets> {
  const apps = nodesOf(inventory, "app");
  if (!apps.length) throw new Error(`no app node in ${inventory.path}`);
  const perNode = await Promise.all(
    apps.map(async (node) => (await bingoPorts(node)).map((port, i) => ({ node, url: `http://${node.privateAddress}:${port}`, label: `${node.name} process ${i + 1}` }))),
  );
  return { frontend: firstOf(inventory, "frontend"), apps: perNode.flat(), publicUrl };
}

/** bingo processes per app node, as the first app node runs them (the targets hold one entry per process). */
export const processesPerNode = (targets: HealthTargets): number => targets.apps.filter((a) => a.node === targets.apps[0]?.node).length;

/** The DB cluster the drills break, the database they read, and how long a DB node stays down at least. */
export interface DbTarget {
  cluster: DbCluster;
  db: Database;
  holdS: number;
}

export async function drillPlans(inventory: Inventory, root: string, names: readonly DrillName[], { cluster, db, holdS }: DbTarget): Promise<Drill[]> {
  const app = nodesOf(inventory, "app")[0];
  if (!app) throw new Error(`no app node in ${inventory.path}`);
  const frontend = firstOf(inventory, "frontend");
  const frontends = nodesOf(inventory, "frontend");
  // The frontend the kill takes: not the first, the SSH jump host the suite's probes go through.
  const victim = frontends[frontends.length - 1];
  // The drills on one process go to the first (bingo-1, the first host port).
  const ports = await bingoPorts(app);
  const appUrl = `http://${app.privateAddress}:${ports[0]}`;
  const appPing = `curl -s -m 1 ${appUrl}/ping`;
  const localNodes = path.join(root, "scripts/local-nodes.sh");

  const plans: Record<DrillName, Drill> = {
    "container-kill": {
      name: "container-kill",
      what: `kill the bingo container bingo-1 on ${app.name}`,
      breaks: app.name,
      probeOn: frontend,
      probeCommand: appPing,
      breakIt: async () => void (await mustRunOn(app, "sudo docker kill bingo-1")),
      afterwards: () => containersRunning(app, 1),
      afterwardsWhat: `the bingo container bingo-1 running on ${app.name}`,
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
            afterwards: () => containersRunning(app, ports.length),
            afterwardsWhat: `every bingo container (${ports.length}) running on ${app.name}`,
          }
        : {
            // In the cloud the instance group notices the stopped VM and starts it again.
            name: "node-stop",
            what: `power off the VM ${app.name}`,
            breaks: app.name,
            probeOn: frontend,
            probeCommand: appPing,
            breakIt: async () => void (await mustRunOn(app, "sudo systemctl --no-block poweroff").catch(() => undefined)),
            afterwards: () => containersRunning(app, ports.length),
            afterwardsWhat: `every bingo container (${ports.length}) running on ${app.name}`,
          },
    "node-isolate": {
      // A hung VM: it answers nothing and refuses nothing, so every request sent to it
      // waits for a timeout. Local: the node leaves the network; cloud: the node drops
      // every packet, and a timer it was given first takes the rules away again.
      name: "node-isolate",
      what: `cut ${app.name} off the network`,
      breaks: app.name,
      probeOn: frontend,
      probeCommand: appPing,
      breakIt: async () =>
        void (inventory.kind === "local"
          ? await run(localNodes, ["down", app.name, "isolate"], { timeout: 60_000 })
          : await mustRunOn(
              app,
              "sudo systemd-run --quiet --on-active=20s --unit=bingo-isolate-undo sh -c 'iptables -D INPUT -j DROP; iptables -D OUTPUT -j DROP' && " +
                "sudo sh -c 'iptables -I OUTPUT 1 -j DROP; iptables -I INPUT 1 -j DROP'",
            ).catch(() => undefined)),
      ...(inventory.kind === "local"
        ? { restore: async () => void (await run(localNodes, ["up", app.name], { timeout: 120_000 })), restoreAfterS: 20 }
        : {}),
      afterwards: () => containersRunning(app, ports.length),
      afterwardsWhat: `every bingo container (${ports.length}) running on ${app.name}`,
    },
    "pgbouncer-restart": {
      // The app nodes' HAProxy sends every connection to the leader's pgbouncer: restart that one.
      name: "pgbouncer-restart",
      what: "restart pgbouncer on the DB leader",
      prepare: async () => {
        const leader = await cluster.leader();
        return {
          name: "pgbouncer-restart",
          what: `restart pgbouncer on the DB leader ${leader.name}`,
          probeOn: leader,
          probeCommand: "pg_isready -q -h 127.0.0.1 -p 6432 && echo pong",
          breakIt: async () => void (await mustRunOn(leader, "sudo systemctl restart pgbouncer")),
        };
      },
    },
    "db-primary-kill": dbNodeDrill("db-primary-kill", { inventory, cluster, db, localNodes, holdS }),
    "db-replica-stop": dbNodeDrill("db-replica-stop", { inventory, cluster, db, localNodes, holdS }),
    "instance-recreate": {
      // The instance group notices the lost instance and creates a new one from a blank
      // disk; it configures itself from its user-data and the frontend finds it by name.
      name: "instance-recreate",
      what: `destroy ${app.name} (VM and disk) and let the instance group re-create it`,
      breaks: app.name,
      probeOn: frontend,
      probeCommand: appPing,
      breakIt: async () =>
        void (inventory.kind === "local"
          ? await run(localNodes, ["destroy", app.name], { timeout: 120_000 })
          : await run("yc", ["compute", "instance", "delete", app.name], { timeout: 300_000 })),
      recoveryWaitS: RECREATE_WAIT_S,
      recoveryLimitS: RECREATE_WAIT_S,
      afterwards: () => containersRunning(app, ports.length),
      afterwardsWhat: `every bingo container (${ports.length}) running on the new ${app.name}`,
      phases: (breakAtMs) => recreatePhases(root, app, frontend, breakAtMs),
    },
    "nginx-restart": {
      // Planned work, one frontend after the other: each drains before nginx stops
      // (bingo-frontend-drain, nginx.service's first ExecStop) and waits for the others.
      name: "nginx-restart",
      what: `restart nginx on ${frontends.map((f) => f.name).join(", then ")}`,
      probeOn: frontend,
      probeCommand: "curl -s -m 1 http://127.0.0.1/ping",
      breakIt: async () => {
        for (const f of frontends) await mustRunOn(f, "sudo systemctl restart nginx");
      },
    },
    "frontend-kill": {
      // The balancer must notice the dead frontend and send everything to the others.
      name: "frontend-kill",
      what: `kill the frontend ${victim.name}`,
      probeOn: frontend,
      probeCommand: `curl -s -m 1 http://${victim.privateAddress}/ping`,
      breakIt: async () =>
        void (inventory.kind === "local"
          ? await run(localNodes, ["down", victim.name, "kill"], { timeout: 60_000 })
          : // Power gone at once, no shutdown (and so no drain): what a host failure does.
            await mustRunOn(victim, "sudo sh -c 'echo o > /proc/sysrq-trigger'").catch(() => undefined)),
      restore: async () =>
        void (inventory.kind === "local"
          ? await run(localNodes, ["up", victim.name], { timeout: 120_000 })
          : await run("yc", ["compute", "instance", "start", victim.name], { timeout: 300_000 })),
      restoreAfterS: 20,
      answeringLimitS: 5,
    },
  };
  return names.map((n) => plans[n]);
}

/** Waits until docker on the node reports the first count bingo containers (bingo-1 ...) running. */
function containersRunning(node: InventoryNode, count: number): Promise<boolean> {
  const names = Array.from({ length: count }, (_, i) => `bingo-${i + 1}`).join(" ");
  const command = `sudo docker inspect -f '{{.State.Running}}' ${names}`;
  return waitUntil(async () => (await runOn(node, command, 15_000)).stdout.trim().split(/\s+/).filter((s) => s === "true").length === count, CONTAINER_BACK_S, 2_000);
}

/** How long a re-created instance may take to boot, configure itself and serve. */
const RECREATE_WAIT_S = 600;

const secondsBetween = (from: number, to: number) => (Number.isFinite(from) && Number.isFinite(to) ? `${((to - from) / 1000).toFixed(0)} s` : "?");

/** UTC epoch ms of the first cloud-init.log line matching re ("2026-11-29 17:41:02,345 - ..."). */
export function cloudInitTime(log: string, re: RegExp): number {
  const line = log.split("\n").find((l) => re.test(l));
  const m = line ? /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})/.exec(line) : null;
  return m ? Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`) : Number.NaN;
}

/**
 * Where the time of a re-creation went: detection (the group's controller), boot,
 * cloud-init up to its packages, the packages, the tier's playbook, and the first
 * answer the frontend got from the new instance.
 */
export async function recreatePhases(root: string, app: InventoryNode, frontend: InventoryNode, breakAtMs: number): Promise<string> {
  const events = readFileSync(path.join(root, ".local/cloud/group-controller.log"), "utf8")
    .split("\n")
    .map((l) => /^(\S+) (\S+) (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2] === app.name && Date.parse(m[1]) >= breakAtMs - 1000);
  const at = (event: string) => Date.parse(events.find((m) => m[3] === event)?.[1] ?? "");
  // bingo serves before the playbook's last tasks (its exporter) are done.
  await waitUntil(async () => (await runOn(app, "test -e /var/lib/cloud/instance/boot-finished && echo done", 15_000)).stdout.trim() === "done", RECREATE_WAIT_S, 2_000);
  const log = await mustRunOn(app, "sudo cat /var/log/cloud-init.log");
  const booted = cloudInitTime(log, / - /);
  const packages = cloudInitTime(log, /Running module package[_-]update[_-]upgrade[_-]install/);
  const playbook = cloudInitTime(log, /Running module scripts[_-]user/);
  const finished = Number((await mustRunOn(app, "sudo stat -c %Y /var/lib/cloud/instance/boot-finished")).trim()) * 1000;
  const ip = app.privateAddress.replace(/\./g, "\\.");
  const first = (await mustRunOn(frontend, `sudo grep -E 'ua="([^"]*, )?${ip}:[0-9]+" us="([^"]*, )?200"' /var/log/nginx/bingo_access.log | tail -n 2000 | sed -n 's/^[^[]*\\[\\([^]]*\\)\\].*/\\1/p'`))
    .split("\n")
    .map((t) => Date.parse(t))
    .find((t) => t >= at("recreated") - 1000);
  return (
    `phases: detection ${secondsBetween(breakAtMs, at("unhealthy"))}, boot ${secondsBetween(at("recreated"), booted)}, ` +
    `cloud-init to packages ${secondsBetween(booted, packages)}, packages ${secondsBetween(packages, playbook)}, ` +
    `playbook ${secondsBetween(playbook, finished)}; ` +
    `destroyed to first answer ${secondsBetween(breakAtMs, first ?? Number.NaN)}`
  );
}
