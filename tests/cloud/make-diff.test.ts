// `make diff` on a fresh checkout without credentials: a committed change to a
// stack shows as the offline review diff against the merge-base with main, with
// the DB VM's replacement called out, and the temporary base checkout is gone after.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { ensureBindings, ROOT } from "./fixture";

/** A git repository holding the working tree's files (what a clone of this change would hold). */
function copyOfWorkingTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-make-diff-"));
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0")
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    const [from, to] = [path.join(ROOT, f), path.join(dir, f)];
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (fs.lstatSync(from).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    if (!fs.lstatSync(from).isSymbolicLink()) fs.chmodSync(to, fs.statSync(from).mode);
  }
  // The same dependencies and bindings (generated later than the copied schema, so still fresh).
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  fs.cpSync(path.join(ROOT, ".gen", "providers"), path.join(dir, ".gen", "providers"), { recursive: true });
  fs.utimesSync(path.join(dir, ".gen", "providers", ".stamp"), new Date(), new Date());
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: dir, stdio: "pipe" });
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  return dir;
}

describe("make diff without credentials", () => {
  let dir: string;
  before(() => {
    ensureBindings();
    dir = copyOfWorkingTree();
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: dir, stdio: "pipe" });
    git("checkout", "--quiet", "-b", "move-db");
    const db = path.join(dir, "stacks", "db.ts");
    const source = fs.readFileSync(db, "utf8");
    assert.match(source, /zone: settings\.zone,/, "stacks/db.ts no longer sets the VM's zone from settings.zone: change this test's edit");
    fs.writeFileSync(db, source.replace(/zone: settings\.zone,/, 'zone: "ru-central1-b",'));
    git("commit", "--quiet", "-am", "Move the DB VM");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("shows the DB VM replaced by a change against the merge-base with main, and cleans up", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, YC_TOKEN: "", YC_IAM_TOKEN: "", YC_SERVICE_ACCOUNT_KEY_FILE: "", NO_COLOR: "1" };
    delete env.BASE;
    delete env.BINGO_SETTINGS;
    const r = spawnSync("make", ["--no-print-directory", "diff"], { cwd: dir, env, encoding: "utf8" });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /Offline review diff of the cloud stacks: merge-base with main \(\w+\) -> working tree/);
    assert.match(out, /Settings \(the same on both sides\): settings\.example\.yaml/);
    assert.match(out, /^!! {3}db: yandex_compute_instance\.Database_Instance_\w+ \(db\/Database\/Instance\)$/m);
    assert.match(out, /~ zone = "ru-central1-a" -> "ru-central1-b" {2}# forces replacement/);
    assert.match(out, /^Stack network: no changes\.$/m);
    assert.match(out, /no Yandex Cloud credentials: this is the offline diff/);
    const worktrees = execFileSync("git", ["worktree", "list"], { cwd: dir, encoding: "utf8" }).trim().split("\n");
    assert.equal(worktrees.length, 1, `the base checkout was left behind:\n${worktrees.join("\n")}`);
  });

  it("says which revision is wrong when BASE names none", () => {
    const r = spawnSync(path.join(dir, "scripts", "review-diff.sh"), [], { cwd: dir, env: { ...process.env, BASE: "no-such-ref", NO_COLOR: "1" }, encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /BASE=no-such-ref is not a revision here/);
  });
});
