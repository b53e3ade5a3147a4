// A dying app node is invisible to users: while a request loop runs through the
// frontend, one node's bingo is killed, or degraded through /operation, and no
// request fails; the node answers pong again in under a minute (autoheal), and the
// frontends' active health check has them refuse connections to it meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTP_BASE, bingoPort, fetchAnswer, onNode, sleep, tcpFrom } from "./support/frontend";

const NODE = "app1";
const PATHS = ["/ping", "/db_dummy", "/api/movie/1", "/api/customer/2", "/api/session/3"];

interface LoopResult {
  sent: number;
  failures: string[];
}

/** Requests through the frontend, two at a time, until stop() (bounded by maxMs). */
function requestLoop(maxMs: number): { stop: () => Promise<LoopResult> } {
  const result: LoopResult = { sent: 0, failures: [] };
  let running = true;
  const deadline = Date.now() + maxMs;
  const worker = async (offset: number) => {
    let i = offset;
    while (running && Date.now() < deadline) {
      const path = PATHS[i++ % PATHS.length];
      result.sent++;
      try {
        const answer = await fetchAnswer(`${HTTP_BASE}${path}`, { timeoutMs: 10_000 });
        if (answer.status !== 200) result.failures.push(`${path}: ${answer.status} ${answer.body.slice(0, 80)}`);
      } catch (err) {
        result.failures.push(`${path}: ${(err as Error).message}`);
      }
      await sleep(50);
    }
  };
  const workers = [worker(0), worker(1)];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

/** Seconds until NODE's bingo answers pong again, polled from the frontend every 0.5 s. */
async function secondsUntilPong(port: number, since: number, limitS: number): Promise<number> {
  const polls = limitS * 2;
  const script =
    `for i in $(seq 1 ${polls}); do ` +
    `[ "$(curl -s -m 1 http://${NODE}:${port}/ping)" = pong ] && { echo ok; exit 0; }; sleep 0.5; done; echo timeout`;
  const out = await onNode("frontend1", script, (limitS + 30) * 1000);
  assert.equal(out, "ok", `${NODE} did not answer pong within ${limitS} s`);
  return (Date.now() - since) / 1000;
}

// The drills break the node's first process (bingo-1, on its first host port).
const CONTAINER = "bingo-1";

async function containerStartedAt(): Promise<string> {
  return onNode(NODE, `sudo docker inspect -f '{{.State.StartedAt}}' ${CONTAINER}`);
}

async function healthyAgain(): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if ((await onNode(NODE, `sudo docker inspect -f '{{.State.Health.Status}}' ${CONTAINER}`)) === "healthy") return;
    await sleep(1_000);
  }
  assert.fail(`${NODE}: the bingo container ${CONTAINER} is not healthy 30 s after it answered pong`);
}

test("a killed bingo process is invisible to users and restarts at once", async () => {
  const port = await bingoPort(NODE);
  const before = await containerStartedAt();
  const loop = requestLoop(120_000);
  await sleep(3_000);
  const killedAt = Date.now();
  await onNode(NODE, `sudo docker kill ${CONTAINER}`);
  // With no container behind it the port refuses at once (the node's firewall), so nginx
  // retries elsewhere without waiting for its connect timeout; "open" if it is back already.
  const meanwhile = await tcpFrom("frontend1", NODE, port);
  assert.notEqual(meanwhile, "silent", `${NODE}:${port} dropped connections while its container was down`);
  const recovery = await secondsUntilPong(port, killedAt, 60);
  await sleep(5_000);
  const { sent, failures } = await loop.stop();
  console.log(`killed container on ${NODE}: pong again after ${recovery.toFixed(1)} s; ${sent} requests, ${failures.length} failed`);
  assert.notEqual(await containerStartedAt(), before, "the container was not restarted");
  assert.deepEqual(failures, [], "requests failed while a node was down");
  assert.ok(recovery < 60, `recovery took ${recovery.toFixed(1)} s`);
  await healthyAgain();
});

/**
 * Watches frontend1's refusals (the chain bingo-upstream-reject keeps from the active health
 * check's list) for NODE's process on port: resolves to the seconds until the check had the
 * frontend refuse connections to it, and until it lifted that again.
 */
async function refusedThenAgain(port: number, limitS: number): Promise<{ downS: number; upS: number }> {
  const polls = limitS * 4;
  const script =
    `addr=$(getent ahostsv4 ${NODE} | awk 'NR == 1 {print $1}'); down=; ` +
    `for i in $(seq 1 ${polls}); do ` +
    `if sudo iptables -w -S BINGO-UPSTREAM-DOWN 2>/dev/null | grep -q -- "-d $addr/32 .*--dport ${port} .*REJECT"; then down=\${down:-$i}; ` +
    `elif [ -n "$down" ]; then echo "$down $i"; exit 0; fi; sleep 0.25; done; echo "never \${down:-never}"`;
  const out = await onNode("frontend1", script, (limitS + 30) * 1000);
  const [down, up] = out.split(" ").map(Number);
  assert.ok(Number.isFinite(down) && Number.isFinite(up), `the health check did not have frontend1 refuse ${NODE}:${port} and then lift it within ${limitS} s (${out})`);
  return { downS: down / 4, upS: up / 4 };
}

test("a node degraded through /operation is invisible to users and heals in under a minute", async () => {
  const port = await bingoPort(NODE);
  const before = await containerStartedAt();
  const loop = requestLoop(150_000);
  await sleep(3_000);
  const marks = refusedThenAgain(port, 90);
  const degradedAt = Date.now();
  // Sent straight to the node (not through the frontend, which must not spread it).
  await onNode("frontend1",
    `curl -s -m 5 -o /dev/null -X POST -H 'content-type: application/json' -d '{"operation":21474836480}' http://${NODE}:${port}/operation`);
  const ping = await onNode("frontend1", `curl -s -m 2 http://${NODE}:${port}/ping || true`);
  assert.notEqual(ping, "pong", "the node did not degrade: /ping still answers pong");
  const recovery = await secondsUntilPong(port, degradedAt, 60);
  await sleep(5_000);
  const { sent, failures } = await loop.stop();
  console.log(`degraded container on ${NODE}: pong again after ${recovery.toFixed(1)} s; ${sent} requests, ${failures.length} failed`);
  assert.notEqual(await containerStartedAt(), before, "autoheal did not restart the degraded container");
  assert.deepEqual(failures, [], "requests failed while a node was degraded");
  assert.ok(recovery < 60, `recovery took ${recovery.toFixed(1)} s`);
  const { downS, upS } = await marks;
  console.log(`the active health check had frontend1 refuse it after ${downS.toFixed(2)} s and lifted that after ${upS.toFixed(2)} s`);
  await healthyAgain();
  const metrics = await onNode(NODE, "cat /var/lib/prometheus/node-exporter/bingo.prom");
  assert.match(metrics, /bingo_container_restarts_total\{container="bingo-1",reason="unhealthy"\} [1-9]/, "autoheal did not count the restart");
});
