// Start-up waits about 30 s when the probe address silently drops the connect,
// and is fast when it is refused at once: the reason the deployment adds a
// REJECT rule. The drop is an iptables rule on a loopback address, removed after.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { TestCluster } from "./support/postgres";
import { preparedInstallation } from "./support/prepared";
import { Installation, standinEnv, startServer } from "./support/standin";

const EMAIL = "slow-start-test@example.com";
const SILENT = "127.0.0.2";
const RULE = ["OUTPUT", "-d", SILENT, "-p", "tcp", "--dport", "80", "-m", "comment", "--comment", "bingo-standin-slow-start-test", "-j", "DROP"];

/** A run killed before its cleanup leaves the rule behind; it is recognised by its comment. */
function dropLeftoverRules(): void {
  for (let i = 0; i < 10; i++) {
    try {
      execFileSync("iptables", ["-D", ...RULE], { stdio: "ignore" });
    } catch {
      return;
    }
  }
}

describe("bingo start-up probe", () => {
  let pg: TestCluster;
  let inst: Installation;

  before(async () => {
    ({ pg, inst } = await preparedInstallation(EMAIL, "0.001"));
    dropLeftoverRules();
    execFileSync("iptables", ["-I", ...RULE]);
  });
  after(() => {
    try {
      dropLeftoverRules();
    } finally {
      inst?.restore();
      pg?.stop();
    }
  });

  test("a refused probe gives a fast start with the google_dns block", async () => {
    const server = await startServer(standinEnv());
    await server.stop();
    console.log(`start-up, probe refused: ${server.startMs} ms`);
    assert.ok(server.startMs < 5000);
    assert.match(server.stdout(), /code: google_dns_is_not_http/);
  });

  test("a silently dropped probe makes start-up wait about 30 s", async () => {
    const server = await startServer(standinEnv({ BINGO_STARTUP_PROBE: `${SILENT}:80` }), 60_000);
    await server.stop();
    console.log(`start-up, probe dropped: ${server.startMs} ms`);
    assert.ok(server.startMs >= 29_000 && server.startMs < 40_000, `${server.startMs} ms`);
    assert.doesNotMatch(server.stdout(), /google_dns_is_not_http/);
    assert.match(server.stdout(), /code: yoohoo_server_launched/);
  });
});
