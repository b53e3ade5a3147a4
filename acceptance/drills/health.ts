// The installation is healthy when every bingo process of every app node answers /ping
// `pong` directly (asked from the frontend node, the way nginx reaches them) and the
// public URL answers /ping.
// Load phases and drills start only from that state, so one drill's slow recovery
// cannot be blamed on the next; the wait is bounded and its failure is a verdict.
import { setTimeout as sleep } from "node:timers/promises";
import { HttpClient } from "../driver/http.js";
import type { InventoryNode } from "../target/inventory.js";
import { runOn } from "../target/ssh.js";
import { shellQuote } from "../target/shell-words.js";

export interface HealthTargets {
  /** Where the app nodes are asked from. */
  frontend: InventoryNode;
  /** Every bingo process: its node, its URL (the node's published port), and a label such as "app1 process 2". */
  apps: { node: InventoryNode; url: string; label: string }[];
  publicUrl: URL;
}

export interface HealthWait {
  ok: boolean;
  seconds: number;
  /** What was still wrong at the end (empty when ok). */
  problems: string[];
}

/** Consecutive all-healthy rounds needed, so a node that flaps is not taken as up. */
const STABLE_ROUNDS = 3;
const ROUND_INTERVAL_MS = 1_000;

/** One round of probes: the problems found (empty when all is well). */
export async function healthProblems(targets: HealthTargets): Promise<string[]> {
  const script = targets.apps.map((a) => `echo "${a.label}: $(curl -s -m 2 ${shellQuote(`${a.url}/ping`)} 2>/dev/null | head -c 80)"`).join("; ");
  const [remote, front] = await Promise.all([runOn(targets.frontend, script, 15_000), publicPing(targets.publicUrl)]);
  const problems = appPingProblems(remote.stdout, targets.apps.map((a) => a.label), `ssh to ${targets.frontend.name} exited ${remote.code}`);
  if (front !== "pong") problems.push(`${targets.publicUrl.origin}/ping: ${JSON.stringify(front)}`);
  return problems;
}

/** Problems in the "label: answer" lines the frontend printed, one per process not answering pong. */
export function appPingProblems(stdout: string, names: readonly string[], whyMissing: string): string[] {
  const answers = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) answers.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return names.flatMap((name) => {
    const answer = answers.get(name);
    if (answer === "pong") return [];
    return [`${name} /ping: ${answer === undefined ? `not asked (${whyMissing})` : JSON.stringify(answer || "no answer")}`];
  });
}

async function publicPing(url: URL): Promise<string> {
  // A fresh connection each time: a pooled one could outlive a restarted frontend.
  const client = new HttpClient(url.origin, { connections: 1, timeoutMs: 3_000 });
  try {
    const res = await client.send("GET", "/ping");
    return res.status === 200 ? res.body.trim() : `${res.status} ${res.body.trim().slice(0, 60)}`;
  } catch (err) {
    return `no answer (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Waits until STABLE_ROUNDS rounds in a row find nothing wrong, at most limitS seconds. */
export async function waitHealthy(targets: HealthTargets, limitS: number): Promise<HealthWait> {
  const start = performance.now();
  const deadline = start + limitS * 1000;
  let good = 0;
  let problems: string[] = ["not probed"];
  for (let round = 0; round < limitS * 2 + STABLE_ROUNDS && performance.now() < deadline; round++) {
    const roundStart = performance.now();
    problems = await healthProblems(targets);
    good = problems.length ? 0 : good + 1;
    if (good >= STABLE_ROUNDS) return { ok: true, seconds: (performance.now() - start) / 1000, problems: [] };
    await sleep(Math.max(0, ROUND_INTERVAL_MS - (performance.now() - roundStart)));
  }
  return { ok: false, seconds: (performance.now() - start) / 1000, problems };
}

/** Polls check() every intervalMs until it is true, at most limitS seconds; returns whether it became true. */
export async function waitUntil(check: () => Promise<boolean>, limitS: number, intervalMs = 1_000): Promise<boolean> {
  const deadline = performance.now() + limitS * 1000;
  for (let round = 0; round < Math.ceil((limitS * 1000) / intervalMs) + 1 && performance.now() < deadline; round++) {
    if (await check().catch(() => false)) return true;
    await sleep(intervalMs);
  }
  return false;
}
