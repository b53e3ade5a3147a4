// What is checked on the nodes themselves: the start-up codes and how long start-up
// took, the email in the binary's config, and the clocks.
import { parse } from "yaml";
import type { Inventory, InventoryNode } from "../target/inventory.js";
import { nodesOf } from "../target/inventory.js";
import { mustRunOn, streamFrom } from "../target/ssh.js";
import { guarded, verdict, type CheckResult } from "./result.js";

const FAST_START_S = 10;

/** The email the deployment was told to configure (EXPECTED_EMAIL overrides). */
export function expectedEmail(inventory: Inventory, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const e = env.EXPECTED_EMAIL ?? inventory.vars.bingo_student_email;
  return typeof e === "string" ? e : undefined;
}

/**
 * The node's clock minus the tester's, in seconds. The node prints its time as a
 * line and the tester stamps the line's arrival, so the SSH handshake does not
 * count; what remains is the one-way delay of a line (milliseconds).
 */
function clockOffset(node: InventoryNode): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = false;
    const child = streamFrom(node, "date +%s.%N", (line) => {
      const remote = Number(line.trim()) * 1000;
      if (!done && Number.isFinite(remote)) {
        done = true;
        resolve((remote - Date.now()) / 1000);
      }
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
    child.on("close", () => {
      clearTimeout(timer);
      if (!done) reject(new Error(`no time from ${node.name}`));
    });
  });
}

/** The bingo containers of an app node (bingo-1, bingo-2, ...), in order. */
async function bingoContainers(node: InventoryNode): Promise<string[]> {
  const names = (await mustRunOn(node, "sudo docker ps -a --filter name=^bingo- --format '{{.Names}}'")).split(/\s+/).filter((n) => /^bingo-\d+$/.test(n));
  if (!names.length) throw new Error(`no bingo-N container on ${node.name}`);
  return names.sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
}

async function startup(node: InventoryNode, container: string): Promise<{ codes: string[]; seconds: number }> {
  const startedAt = (await mustRunOn(node, `sudo docker inspect -f '{{.State.StartedAt}}' ${container}`)).trim();
  const logs = await mustRunOn(node, `sudo docker logs -t --since '${startedAt}' ${container} 2>&1 | grep -E 'code: *(google_dns_is_not_http|yoohoo_server_launched)' | head -n 5`);
  const codes = [...new Set([...logs.matchAll(/code: *(\w+)/g)].map((m) => m[1]))];
  const launched = /^(\S+) .*yoohoo_server_launched/m.exec(logs)?.[1];
  const seconds = launched ? (Date.parse(launched) - Date.parse(startedAt)) / 1000 : Number.NaN;
  return { codes, seconds };
}

export async function nodeChecks(inventory: Inventory): Promise<CheckResult[]> {
  const apps = nodesOf(inventory, "app");
  const results: CheckResult[] = [];
  results.push(
    ...(await guarded("app starts (codes in stdout)", "google_dns_is_not_http and yoohoo_server_launched", async () => {
      // Every process of every node: the probe must be refused for each container.
      const perNode = (
        await Promise.all(apps.map(async (n) => Promise.all((await bingoContainers(n)).map(async (c) => ({ node: `${n.name} ${c}`, ...(await startup(n, c)) })))))
      ).flat();
      const okCodes = perNode.every((p) => p.codes.includes("google_dns_is_not_http") && p.codes.includes("yoohoo_server_launched"));
      const okFast = perNode.every((p) => p.seconds <= FAST_START_S);
      return [
        { check: "app starts (codes in stdout)", verdict: verdict(okCodes && apps.length > 0), figure: perNode.map((p) => `${p.node}: ${p.codes.join("+") || "none"}`).join("; "), requirement: "both codes from every process on every app node" },
        { check: "fast start", verdict: verdict(okFast && apps.length > 0), figure: perNode.map((p) => `${p.node}: ${p.seconds.toFixed(1)} s`).join("; "), requirement: `container start -> launched <= ${FAST_START_S} s` },
      ];
    })),
  );
  results.push(
    ...(await guarded("config holds the email", "student_email = the customer's email", async () => {
      const want = expectedEmail(inventory);
      if (!want) throw new Error("no bingo_student_email in the inventory (set EXPECTED_EMAIL)");
      const found = await Promise.all(
        apps.map(async (n) => {
          // Every process reads the same bind-mounted file: the first container's view of it.
          const [first] = await bingoContainers(n);
          const config = parse(await mustRunOn(n, `sudo docker exec ${first} cat /opt/bingo/config.yaml`)) as { student_email?: unknown };
          return `${n.name}: ${String(config?.student_email)}`;
        }),
      );
      return { check: "config holds the email", verdict: verdict(found.every((f) => f.endsWith(`: ${want}`))), figure: found.join("; "), requirement: `student_email = ${want}` };
    })),
  );
  results.push(
    ...(await guarded("clock is set", "every node within 1 s of the tester", async () => {
      const offsets = await Promise.all(
        inventory.nodes.map(async (n) => {
          return { node: n.name, offsetS: await clockOffset(n) };
        }),
      );
      const ok = offsets.every((o) => Math.abs(o.offsetS) <= 1);
      return { check: "clock is set", verdict: verdict(ok), figure: offsets.map((o) => `${o.node} ${o.offsetS >= 0 ? "+" : ""}${o.offsetS.toFixed(2)} s`).join("; "), requirement: "|offset| <= 1 s" };
    })),
  );
  return results;
}
