// Settings and synthesis helpers for the cloud tests: no file, no credentials, no network.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { before } from "node:test";
import { App } from "cdktf";
import { parseSettings, Settings } from "../../settings";

export const ROOT = path.resolve(__dirname, "..", "..");

/** Makes sure the generated bindings exist (the stacks import them). */
export function ensureBindings(): void {
  execFileSync(path.join(ROOT, "scripts", "gen-bindings.sh"), { stdio: "inherit" });
}

export const FIXTURE = {
  cloud: { folder_id: "b1gfixture0000000000", zone: "ru-central1-a" },
  network: { ssh_allowed_cidrs: ["198.51.100.7/32"] },
  ssh: { public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureKeyFixtureKeyFixtureKeyFixtureKe0 test" },
  app: { port: 8765 },
  student_email: "student@example.com",
  domain: "bingo.example.org",
  state_dir: "/tmp/bingo-test-state",
};

export function fixtureSettings(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Settings {
  return parseSettings({ raw: { ...structuredClone(FIXTURE), ...overrides }, env, source: "test fixture", root: ROOT });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * Synthesizes all stacks into a temporary folder and returns each stack's JSON;
 * adjust may change the constructs before synthesis (e.g. an override).
 */
export function synthAll(settings: Settings, adjust?: (stacks: import("../../stacks").Stacks) => void): { outdir: string; stacks: Record<string, Json> } {
  // Imported late: the stacks import the generated bindings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStacks } = require("../../stacks") as typeof import("../../stacks");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-synth-"));
  const app = new App({ outdir });
  const built = buildStacks(app, settings);
  adjust?.(built);
  app.synth();
  const stacks: Record<string, Json> = {};
  for (const name of fs.readdirSync(path.join(outdir, "stacks"))) {
    stacks[name] = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { outdir, stacks };
}

/** Synthesizes the fixture's stacks in a before() hook of the enclosing describe and hands them to use. */
export function synthesizeBefore(use: (stacks: Record<string, Json>) => void): void {
  before(() => {
    ensureBindings();
    use(synthAll(fixtureSettings()).stacks);
  });
}

export const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource?.[type] ?? {});

/** A git repository holding the working tree's files (what a clone of this change would hold). */
function copyOfWorkingTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-checkout-"));
  const files = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    // node_modules is linked below, whatever git thinks of it (a link is not ignored as a folder is).
    .filter((f) => f && f !== "node_modules" && fs.existsSync(path.join(ROOT, f)));
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
  return dir;
}

/**
 * A fresh checkout of the working tree as branch main, plus a branch move-db (checked
 * out) whose one commit moves the first DB VM to another zone: a change that replaces it.
 */
export function checkoutWithMovedDb(): { dir: string; mainSha: string } {
  const dir = copyOfWorkingTree();
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: dir, encoding: "utf8" }).trim();
  git("init", "--quiet", "--initial-branch=main");
  // .gitignore's node_modules/ matches only a folder, not the link to the shared one.
  fs.appendFileSync(path.join(dir, ".git", "info", "exclude"), "/node_modules\n");
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  git("checkout", "--quiet", "-b", "move-db");
  const db = path.join(dir, "stacks", "db.ts");
  const source = fs.readFileSync(db, "utf8");
  assert.match(source, /zone: subnet\.zone,/, "stacks/db.ts no longer sets the VMs' zone from their subnet's: change this helper's edit");
  fs.writeFileSync(db, source.replace(/zone: subnet\.zone,/, 'zone: i === 0 ? "ru-central1-b" : subnet.zone,'));
  git("commit", "--quiet", "-am", "Move the first DB VM");
  return { dir, mainSha: git("rev-parse", "main") };
}
