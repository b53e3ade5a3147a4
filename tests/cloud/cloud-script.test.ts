// scripts/cloud.sh (make deploy / clean / diff with credentials) against a stand-in
// `terraform` that only records its calls: the order of the stacks and the commands
// each gets, with no cloud and no network.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { ensureBindings, FIXTURE, ROOT } from "./fixture";

describe("cloud deploy, clean and diff (scripts/cloud.sh)", () => {
  let dir: string;
  let log: string;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
    TF_CALLS: log,
    BINGO_SETTINGS: path.join(dir, "settings.yaml"),
    CDKTF_OUTDIR: path.join(dir, "out"),
    TF_CLI_CONFIG_FILE: path.join(dir, "terraformrc"),
    YC_TOKEN: "t1.fake-token-for-the-test",
    // clean removes the cloud inventory: not the checkout's own.
    BINGO_CLOUD_INVENTORY: path.join(dir, "hosts.yml"),
    BINGO_KNOWN_HOSTS_DIR: path.join(dir, "known_hosts.d"),
    // Only the plans here: the offline diff before them (tests/cloud/make-diff.test.ts)
    // would install the base's packages when package-lock.json changed since main.
    OFFLINE_DIFF: "0",
    NO_COLOR: "1",
    ...extra,
  });
  const cloud = (action: string, extra: NodeJS.ProcessEnv = {}) => {
    fs.writeFileSync(log, "");
    const r = spawnSync(path.join(ROOT, "scripts", "cloud.sh"), [action], { encoding: "utf8", env: env(extra) });
    // "<stack> <command>" for each terraform call, e.g. "network apply".
    const calls = fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [chdir, cmd] = l.split(" ");
        return `${path.basename(chdir.replace(/^-chdir=/, ""))} ${cmd}`;
      });
    return { status: r.status, output: `${r.stdout}\n${r.stderr}`, calls };
  };

  before(() => {
    ensureBindings();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-cloud-sh-"));
    log = path.join(dir, "calls");
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "terraform"), '#!/bin/sh\necho "$*" >>"$TF_CALLS"\numask >"$TF_CALLS.umask"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "terraformrc"), "");
    fs.writeFileSync(path.join(dir, "settings.yaml"), stringify({ ...FIXTURE, state_dir: path.join(dir, "state") }));
  });

  it("deploy applies every stack in dependency order: network, db, app, frontend", () => {
    const r = cloud("deploy");
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(
      r.calls.filter((c) => c.endsWith(" apply")),
      ["network apply", "db apply", "app apply", "frontend apply"],
    );
    assert.ok(r.calls.indexOf("network init") < r.calls.indexOf("network apply"));
    assert.ok(fs.existsSync(path.join(dir, "out", "stacks", "frontend", "cdk.tf.json")), "synthesized into CDKTF_OUTDIR");
    // A clean clone with credentials gets its npm packages before synth needs them.
    assert.match(r.output, /npm dependencies up to date|npm ci \(pinned dependencies/);
    assert.ok(r.output.search(/npm dependencies up to date|npm ci/) < r.output.indexOf("Synthesizing"), "npm packages before synth");
  });

  it("the synthesized stacks and everything Terraform writes (state) are readable by their owner only", () => {
    const r = cloud("deploy");
    assert.equal(r.status, 0, r.output);
    assert.equal(fs.readFileSync(`${log}.umask`, "utf8").trim(), "0077", "terraform runs with umask 077");
    const out = path.join(dir, "out");
    for (const p of [out, path.join(out, "stacks", "frontend"), path.join(out, "stacks", "frontend", "cdk.tf.json"), path.join(out, "manifest.json")]) {
      assert.equal(fs.statSync(p).mode & 0o077, 0, `${path.relative(dir, p)} is private`);
    }
    assert.equal(fs.statSync(path.join(ROOT, ".local")).mode & 0o077, 0, ".local/ is private");
  });

  it("clean destroys them in reverse order and removes the cloud inventory and host keys", () => {
    fs.writeFileSync(path.join(dir, "hosts.yml"), "all: {}\n");
    fs.mkdirSync(path.join(dir, "known_hosts.d"), { recursive: true });
    fs.writeFileSync(path.join(dir, "known_hosts.d", "fhmold"), "x ssh-ed25519 AAAA\n");
    const r = cloud("destroy");
    assert.equal(r.status, 0, r.output);
    assert.equal(fs.existsSync(path.join(dir, "hosts.yml")), false);
    assert.equal(fs.existsSync(path.join(dir, "known_hosts.d")), false, "the destroyed instances' host keys are forgotten");
    assert.deepEqual(
      r.calls.filter((c) => c.endsWith(" destroy")),
      ["frontend destroy", "app destroy", "db destroy", "network destroy"],
    );
  });

  it("diff plans every stack (what cdktf diff runs) and changes nothing", () => {
    const r = cloud("diff");
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(
      r.calls.filter((c) => !c.endsWith(" init")),
      ["network plan", "db plan", "app plan", "frontend plan"],
    );
  });

  it("diff plans a stack whose upstream stacks are not applied yet against stand-in outputs", () => {
    const state = path.join(dir, "state");
    fs.rmSync(state, { recursive: true, force: true });
    fs.mkdirSync(state);
    // Only the network stack is applied.
    fs.writeFileSync(path.join(state, "network.tfstate"), JSON.stringify({ version: 4, outputs: {}, resources: [] }));
    const r = cloud("diff");
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(
      r.calls.filter((c) => c.endsWith(" plan")),
      ["network plan", "db plan", "app plan", "frontend plan"],
    );
    const standIns = path.join(dir, "out", "plan-stand-ins");
    assert.match(r.output, /Stack db: terraform plan\b(?! \()/);
    assert.equal(fs.existsSync(path.join(standIns, "db")), false, "db reads only the applied network stack");
    assert.match(r.output, /Stack app: terraform plan \(not applied yet: db;/);
    const app = JSON.parse(fs.readFileSync(path.join(standIns, "app", "cdk.tf.json"), "utf8"));
    const input = app.data.terraform_remote_state["cross-stack-reference-input-db"].config.path;
    assert.equal(input, path.join(standIns, "app", "stand-in-db.tfstate"));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: Object.values() of any is unknown[] there
    const outputs = Object.values(JSON.parse(fs.readFileSync(input, "utf8")).outputs) as { value: string }[];
    assert.ok(outputs.length > 0 && outputs.every((o) => o.value === "(known once stack db is applied)"), JSON.stringify(outputs));
    assert.equal(app.data.terraform_remote_state["cross-stack-reference-input-network"].config.path, path.join(state, "network.tfstate"));
  });

  it("without credentials it refuses and says how to get them", () => {
    const r = cloud("deploy", { YC_TOKEN: "", YC_IAM_TOKEN: "", YC_SERVICE_ACCOUNT_KEY_FILE: "" });
    assert.notEqual(r.status, 0);
    assert.match(r.output, /no Yandex Cloud credentials/);
    assert.match(r.output, /YC_TOKEN=\$\(yc iam create-token\)/);
    assert.deepEqual(r.calls, []);
  });
});
