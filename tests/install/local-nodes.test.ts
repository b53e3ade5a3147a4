// The local nodes behave like the cloud VMs they stand in for: systemd, SSH
// through the frontend, the security groups' reachability, the silent probe
// address, the cloud route (cloud-init, the metadata and Lockbox stand-in, the VPC
// names), and a node that can be broken and brought back.
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { test } from "node:test";
import assert from "node:assert/strict";
import { promisify } from "node:util";
import path from "node:path";
import { NODES } from "./support/frontend";

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
  for (const node of NODES) {
    const state = await onNode(node, "systemctl is-system-running || true");
    assert.match(state, /^(running|degraded)$/, `${node}: systemd reports ${state}`);
    assert.equal(await onNode(node, "hostname"), node);
  }
});

test("from the host only the frontends answer, as the security groups allow", async () => {
  assert.equal(await tcpProbe("172.30.77.20", 22, 3000), "open", "frontend1 SSH (jump host)");
  assert.equal(await tcpProbe("172.30.77.28", 22, 3000), "open", "frontend2 SSH");
  for (const address of ["172.30.77.68", "172.30.77.84", "172.30.77.100", "172.30.77.69", "172.30.77.70"]) {
    assert.equal(await tcpProbe(address, 22, 3000), "refused", `${address}:22 must not answer the host`);
  }
});

test("the probe address silently drops TCP/80, so an unprotected start is slow", async () => {
  const script = 'timeout 3 bash -c "</dev/tcp/172.30.77.254/80" 2>/dev/null; echo $?';
  // 124: timeout killed the connect (no answer), as 8.8.8.8:80 behaves.
  // On an app node the role's firewall REJECTs it, so try a DB node, which has no such rule.
  assert.equal(await onNode("db1", script), "124");
});

test("nodes reach the Debian mirror through the host's NAT", async () => {
  const out = await onNode("db1", "sudo apt-get -q -o Acquire::Retries=1 update >/dev/null 2>&1; echo $?");
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

test("every node booted from the user-data synthesized for its VM, through cloud-init's NoCloud seed", async () => {
  const seeds = NODES.map((n) => path.resolve(__dirname, `../../.local/cloud/seeds/${n}/user-data`));
  const { stdout } = await run("sha256sum", seeds);
  const want = Object.fromEntries(String(stdout).trim().split("\n").map((l): [string, string] => [String(l.split("/").at(-2)), l.split(" ")[0]]));
  for (const node of NODES) {
    assert.match(await onNode(node, "cloud-init status --long"), /status: done[\s\S]*DataSourceNoCloud/, `${node}: cloud-init`);
    assert.equal((await onNode(node, "sudo sha256sum /var/lib/cloud/instance/user-data.txt")).split(" ")[0], want[node], `${node} booted from other user-data`);
  }
});

test("app instances resolve by the VPC DNS names the stacks give them", async () => {
  assert.match(await onNode("frontend1", "getent hosts bingo-app-1.ru-central1.internal"), /^172\.30\.77\.69\s/);
  assert.match(await onNode("frontend1", "getent hosts bingo-app-2.ru-central1.internal"), /^172\.30\.77\.70\s/);
});

const TOKEN_URL = "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token";
const curlCode = (url: string, extra = "") => `curl -s -o /dev/null -m 3 -w '%{http_code}' ${extra} ${url}; echo " $?"`;

test("Lockbox hands the secret only to an instance whose account holds the grant", async () => {
  const token = JSON.parse(await onNode("app1", `curl -s -m 3 -H 'Metadata-Flavor: Google' ${TOKEN_URL}`)) as { access_token: string };
  assert.ok(token.access_token, "app1 gets its account's token");
  const secretId = (await onNode("app1", "sudo grep -o 'bingo-fetch-secrets [a-z0-9]*' /var/lib/cloud/instance/user-data.txt | head -n1")).split(" ")[1];
  const payload = `https://payload.lockbox.api.cloud.yandex.net/lockbox/v1/secrets/${secretId}/payload`;
  assert.equal(await onNode("app1", curlCode(payload, `-H 'Authorization: Bearer ${token.access_token}'`)), "200 0");
  assert.equal(await onNode("app1", curlCode(payload, "-H 'Authorization: Bearer forged'")), "401 0");
  // The DB cluster's secret is the DB nodes' account's only: app1's token is refused it.
  const clusterSecretId = (await onNode("db1", "sudo grep -o 'bingo-fetch-secrets .*' /var/lib/cloud/instance/user-data.txt | head -n1")).split(" ")[4];
  assert.match(clusterSecretId, /^[a-z0-9]+$/, "db1's user-data names the cluster's secret");
  const clusterPayload = `https://payload.lockbox.api.cloud.yandex.net/lockbox/v1/secrets/${clusterSecretId}/payload`;
  assert.equal(await onNode("app1", curlCode(clusterPayload, `-H 'Authorization: Bearer ${token.access_token}'`)), "403 0");
  // The frontend runs with no service account: no token, so no secret.
  assert.equal(await onNode("frontend1", curlCode(TOKEN_URL, "-H 'Metadata-Flavor: Google'")), "404 0");
});

test("a node's request to a link-local address never leaves the host; with the stand-in stopped, nothing answers", async () => {
  // Another link-local address: dropped by the host even while the stand-in runs.
  assert.equal(await onNode("app1", curlCode("http://169.254.169.253/")), "000 28", "no answer: curl timed out");
  await run(nodesScript, ["standin", "stop"], { timeout: 60_000 });
  try {
    assert.equal(await onNode("app1", curlCode(TOKEN_URL, "-H 'Metadata-Flavor: Google'")), "000 28", "no answer: curl timed out");
  } finally {
    await run(nodesScript, ["standin", "start"], { timeout: 60_000 });
  }
  assert.equal(await onNode("app1", curlCode(TOKEN_URL, "-H 'Metadata-Flavor: Google'")), "200 0", "the stand-in answers again");
});
