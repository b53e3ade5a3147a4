// The local nodes behave like the cloud VMs they stand in for: systemd, SSH
// through the frontend, the security groups' reachability, the silent probe
// address, and a node that can be broken and brought back.
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { test } from "node:test";
import assert from "node:assert/strict";
import { promisify } from "node:util";
import path from "node:path";

const run = promisify(execFile);
const nodesScript = path.resolve(__dirname, "../../scripts/local-nodes.sh");

async function onNode(node: string, command: string): Promise<string> {
  const { stdout } = await run(nodesScript, ["ssh", node, command], { timeout: 60_000 });
  return stdout.trim();
}

/** Resolves "open", "refused" or "silent" (no answer within the wait). */
function tcpProbe(host: string, port: number, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("silent");
    }, waitMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("open");
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve("refused");
    });
  });
}

test("every node runs systemd and answers SSH through the frontend", async () => {
  for (const node of ["db", "app1", "app2", "frontend"]) {
    const state = await onNode(node, "systemctl is-system-running || true");
    assert.match(state, /^(running|degraded)$/, `${node}: systemd reports ${state}`);
    assert.equal(await onNode(node, "hostname"), node);
  }
});

test("from the host only the frontend answers, as the security groups allow", async () => {
  assert.equal(await tcpProbe("172.30.77.13", 22, 3000), "open", "frontend SSH (jump host)");
  for (const address of ["172.30.77.10", "172.30.77.11", "172.30.77.12"]) {
    assert.equal(await tcpProbe(address, 22, 3000), "refused", `${address}:22 must not answer the host`);
  }
});

test("the probe address silently drops TCP/80, so an unprotected start is slow", async () => {
  const script = 'timeout 3 bash -c "</dev/tcp/172.30.77.254/80" 2>/dev/null; echo $?';
  // 124: timeout killed the connect (no answer), as 8.8.8.8:80 behaves.
  // On an app node the role's firewall REJECTs it, so try the DB node, which has no such rule.
  assert.equal(await onNode("db", script), "124");
});

test("nodes reach the Debian mirror through the host's NAT", async () => {
  const out = await onNode("db", "sudo apt-get -q -o Acquire::Retries=1 update >/dev/null 2>&1; echo $?");
  assert.equal(out, "0");
});

test("a stopped node comes back with its state and answers SSH again", async () => {
  const marker = `marker-${Date.now()}`;
  await onNode("app2", `echo ${marker} | sudo tee /var/tmp/bingo-node-test >/dev/null`);
  await run(nodesScript, ["down", "app2", "isolate"], { timeout: 60_000 });
  await assert.rejects(onNode("app2", "true"), "an isolated node must not answer");
  await run(nodesScript, ["up", "app2"], { timeout: 120_000 });
  assert.equal(await onNode("app2", "cat /var/tmp/bingo-node-test"), marker);
  await onNode("app2", "sudo rm -f /var/tmp/bingo-node-test");
});
