// `make diff` on a fresh checkout: without credentials, a committed change to a
// stack shows as the offline review diff against the merge-base with main, with
// the DB VM's replacement called out and the base's folder gone after; with
// credentials, the same diff printed before the plan of every stack.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { checkoutWithMovedDb, ensureBindings, FIXTURE } from "./fixture";

describe("make diff on a fresh checkout", () => {
  let dir: string;
  before(() => {
    ensureBindings();
    dir = checkoutWithMovedDb().dir;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("shows the DB VM replaced by a change against the merge-base with main, and cleans up", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-tmpdir-"));
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, YC_TOKEN: "", YC_IAM_TOKEN: "", YC_SERVICE_ACCOUNT_KEY_FILE: "", NO_COLOR: "1" };
    delete env.BASE;
    delete env.BINGO_SETTINGS;
    const r = spawnSync("make", ["--no-print-directory", "diff"], { cwd: dir, env, encoding: "utf8" });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /Offline review diff of the cloud stacks: merge-base with main \(\w+\) -> working tree/);
    assert.match(out, /Settings \(the same on both sides\): settings\.example\.yaml/);
    assert.match(out, /^!! {3}db: yandex_compute_instance\.Database1_Instance_\w+ \(db\/Database1\/Instance\)$/m);
    assert.match(out, /~ zone = "ru-central1-a" -> "ru-central1-b" {2}# forces replacement/);
    assert.match(out, /^Stack network: no changes\.$/m);
    assert.match(out, /no Yandex Cloud credentials: this is the offline diff/);
    assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith("bingo-review-diff.")), [], "the base's folder was left behind");
    assert.equal(execFileSync("git", ["worktree", "list"], { cwd: dir, encoding: "utf8" }).trim().split("\n").length, 1, "a worktree was registered");
  });

  it("with credentials prints the offline diff first, then plans every stack", () => {
    // A terraform that plans nothing: only the order of what make diff prints matters here.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-tf-"));
    fs.writeFileSync(path.join(bin, "terraform"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const settings = path.join(bin, "settings.yaml");
    fs.writeFileSync(settings, stringify({ ...FIXTURE, state_dir: path.join(bin, "state") }));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, YC_TOKEN: "t1.fake-token-for-the-test", BINGO_SETTINGS: settings, TF_CLI_CONFIG_FILE: path.join(bin, "terraformrc"), BASE: "main" };
    fs.writeFileSync(env.TF_CLI_CONFIG_FILE, "");
    const r = spawnSync("make", ["--no-print-directory", "diff"], { cwd: dir, env, encoding: "utf8" });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    const offline = out.indexOf("-/+ yandex_compute_instance.Database1_Instance_");
    const plans = ["network", "db", "app", "frontend"].map((s) => out.indexOf(`Stack ${s}: terraform plan`));
    assert.ok(offline >= 0, out);
    assert.ok(plans.every((p, i) => p > offline && (i === 0 || p > plans[i - 1])), out);
    assert.match(out, /Settings \(the same on both sides\): .*settings\.yaml/);
  });

  it("says which revision is wrong when BASE names none", () => {
    const r = spawnSync(path.join(dir, "scripts", "review-diff.sh"), [], { cwd: dir, env: { ...process.env, BASE: "no-such-ref", NO_COLOR: "1" }, encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /BASE=no-such-ref is not a revision here/);
  });
});
