// The app nodes start only once the database is ready: the DB opens pgbouncer's
// port after its data load, new app instances wait for that port, and the waits
// (instance, group health checks, controller) are sized to the documented load time.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { Json, resources, ROOT, synthesizeBefore } from "./fixture";

/** The self-configure script of a rendered #cloud-config. */
const selfConfigure = (userData: string): string =>
  (parseYaml(userData) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === "/usr/local/sbin/bingo-self-configure")!.content;

/** The lines of the script that wait for a TCP port (from the "wait up to" comment to "done"). */
const waitLines = (script: string): string => {
  const lines = script.split("\n");
  const from = lines.findIndex((l) => /wait up to \d+ s for/.test(l));
  assert.ok(from >= 0, "the script waits for a port");
  const to = lines.indexOf("done", from);
  return lines.slice(from, to + 1).join("\n");
};

describe("the database is ready before the app starts", () => {
  let stacks: Record<string, Json>;
  synthesizeBefore((s) => (stacks = s));

  it("playbooks/db.yml starts pgbouncer only after the initial data is loaded", () => {
    const [play] = parseYaml(fs.readFileSync(path.join(ROOT, "ansible", "playbooks", "db.yml"), "utf8")) as Json[];
    const roles: string[] = play.roles.map((r: Json) => (typeof r === "string" ? r : r.role));
    assert.ok(roles.indexOf("bingo_data") >= 0 && roles.indexOf("bingo_data") < roles.indexOf("pgbouncer"), roles.join(", "));
  });

  it("a new app instance waits up to 45 min for the DB's pgbouncer before its playbook", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    const script = selfConfigure(ig.instance_template.metadata["user-data"]);
    const wait = waitLines(script);
    assert.match(wait, /wait up to 2700 s for \$\{data\.terraform_remote_state\.[^}]*db[^}]*\}:6432/);
    assert.ok(script.indexOf(wait) < script.indexOf("ansible-playbook"), "the wait comes before the playbook");
    assert.ok(!/[{}]/.test(wait.replace(/\$\{[^}]*\}/g, "")), "no braces but Terraform's own in instance-group metadata");
  });

  it("the group's health checks count only after that wait and the instance's own set-up", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.ok(ig.deploy_policy.startup_duration >= 2700 + 600, `startup_duration ${ig.deploy_policy.startup_duration}`);
    assert.equal(ig.max_checking_health_duration, ig.deploy_policy.startup_duration);
    assert.match(ig.timeouts.create, /^\d+m$/);
    assert.ok(parseInt(ig.timeouts.create, 10) * 60 > ig.deploy_policy.startup_duration, "terraform waits longer than a first start");
  });

  it("the wait fails with what it waited for when the port stays closed, and passes once it answers", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderUserData } = require("../../constructs/cloud-init") as typeof import("../../constructs/cloud-init");
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const waitScript = (p: number, seconds: number) =>
      waitLines(
        selfConfigure(
          renderUserData({
            sshUser: "ansible",
            sshPublicKey: "ssh-ed25519 AAAA test",
            selfConfigure: { group: "app", playbook: "playbooks/app-self.yml", vars: {}, waitFor: { host: "127.0.0.1", port: p, seconds, what: "the test port" } },
          }),
        ),
      );
    const open = spawnSync("sh", ["-c", waitScript(port, 30)], { encoding: "utf8" });
    server.close();
    assert.equal(open.status, 0, open.stderr);
    await new Promise((r) => setTimeout(r, 100));
    const closed = spawnSync("sh", ["-c", waitScript(port, 1)], { encoding: "utf8" });
    assert.notEqual(closed.status, 0);
    assert.match(closed.stderr, new RegExp(`the test port \\(127\\.0\\.0\\.1:${port}\\) did not answer within 1 s`));
  });
});
