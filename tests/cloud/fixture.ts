// Settings and synthesis helpers for the cloud tests: no file, no credentials, no network.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { App } from "cdktf";
import { parseSettings, Settings } from "../../settings";

export const ROOT = path.resolve(__dirname, "..", "..");

/** Makes sure the generated bindings exist (the stacks import them). */
export function ensureBindings(): void {
  execFileSync(path.join(ROOT, "scripts", "gen-bindings.sh"), { stdio: "inherit" });
}

export const FIXTURE = {
  cloud: { folder_id: "b1gfixture0000000000", zone: "ru-central1-a" },
  ssh: { public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureKeyFixtureKeyFixtureKeyFixtureKe0 test" },
  app: { port: 8765 },
  student_email: "student@example.com",
  domain: "bingo.example.org",
  db_password: "fixturePassword1234",
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

export const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource?.[type] ?? {});
