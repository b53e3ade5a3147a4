// The GitHub workflows: valid for action-validator, every command their steps run
// exists here, and the review steps do what they say when run as written.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { checkoutWithMovedDb, ensureBindings, ROOT } from "./fixture";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
}
interface Workflow {
  readonly jobs: Record<string, { readonly steps: readonly Step[]; readonly environment?: string }>;
}

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflow = (name: string): Workflow => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const stepNamed = (w: Workflow, name: string): Step => {
  const s = steps(w).find((x) => x.name === name);
  assert.ok(s?.run, `no run step named "${name}"`);
  return s;
};
const validate = (file: string) => spawnSync(path.join(ROOT, "node_modules", ".bin", "action-validator"), [file], { encoding: "utf8" });

/** The targets of the make commands in a script (make as a command, not a package name in a list). */
function makeTargets(script: string): string[] {
  const targets: string[] = [];
  for (const m of script.matchAll(/\bmake\s+(?:--?[\w-]+\s+)*([a-z][\w-]*)/g)) {
    const before = script.slice(0, m.index).split("\n").pop()?.trimEnd() ?? "";
    // A command starts a line, follows ; & | ( or an environment assignment (VAR=value, VAR="$(...)").
    const lastWord = before.split(/\s+/).pop() ?? "";
    if (before === "" || /[;&|("]$/.test(before) || /^[A-Z_][A-Z0-9_]*=/.test(lastWord)) targets.push(m[1]);
  }
  return targets;
}

/** Runs a step's script as GitHub does (bash -eo pipefail), in dir, with env added. */
function runStep(step: Step, dir: string, env: NodeJS.ProcessEnv) {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bingo-step-")), "step.sh");
  fs.writeFileSync(script, step.run ?? "");
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe("GitHub workflows", () => {
  const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

  it("pass action-validator, which rejects a misspelt key", () => {
    assert.deepEqual(files.sort(), ["deploy.yml", "review.yml"]);
    for (const f of files) {
      const r = validate(path.join(WORKFLOWS, f));
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    }
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bingo-wf-")), "bad.yml");
    fs.writeFileSync(bad, fs.readFileSync(path.join(WORKFLOWS, "review.yml"), "utf8").replace("runs-on:", "runs_on:"));
    assert.notEqual(validate(bad).status, 0);
  });

  it("run only make targets and scripts that exist, and actions pinned to exact versions", () => {
    const makefile = fs.readFileSync(path.join(ROOT, "Makefile"), "utf8");
    const named = new Set<string>();
    for (const f of files) {
      for (const step of steps(workflow(f))) {
        if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/, `${f}: ${step.uses} is not pinned to an exact version`);
        for (const target of makeTargets(step.run ?? "")) {
          assert.match(makefile, new RegExp(`^${target}:`, "m"), `${f}: make ${target} is not a target`);
          named.add(`make ${target}`);
        }
        for (const m of (step.run ?? "").matchAll(/\bscripts\/[\w./-]+/g)) {
          assert.ok(fs.existsSync(path.join(ROOT, m[0])), `${f}: ${m[0]} does not exist`);
          fs.accessSync(path.join(ROOT, m[0]), fs.constants.X_OK);
          named.add(m[0]);
        }
      }
    }
    for (const expected of ["make test-unit", "make diff", "make deploy", "scripts/ci-tfstate.sh"]) assert.ok(named.has(expected), `no step runs ${expected}`);
  });

  it("deploy waits for the production environment's approval", () => {
    assert.deepEqual(Object.values(workflow("deploy.yml").jobs).map((j) => j.environment), ["production"]);
  });

  describe("review steps run as written", () => {
    let checkout: { dir: string; mainSha: string };
    let runnerTemp: string;
    before(() => {
      ensureBindings();
      checkout = checkoutWithMovedDb();
      runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-runner-"));
    });
    after(() => fs.rmSync(checkout.dir, { recursive: true, force: true }));

    it("the offline-diff step writes the diff, DB VM replacement first, into the job summary", () => {
      const summary = path.join(runnerTemp, "summary.md");
      const r = runStep(stepNamed(workflow("review.yml"), "make diff against the base branch"), checkout.dir, {
        BASE_SHA: checkout.mainSha,
        RUNNER_TEMP: runnerTemp,
        GITHUB_STEP_SUMMARY: summary,
        YC_TOKEN: "",
        YC_IAM_TOKEN: "",
        YC_SERVICE_ACCOUNT_KEY_FILE: "",
      });
      assert.equal(r.status, 0, r.output);
      const text = fs.readFileSync(summary, "utf8");
      assert.match(text, /^## What this change does to the cloud\n```diff\n/);
      assert.match(text, /^!! {3}db: yandex_compute_instance\.Database1_Instance_\w+ \(db\/Database1\/Instance\)$/m);
      assert.match(text, /~ zone = "ru-central1-a" -> "ru-central1-b" {2}# forces replacement/);
      assert.ok(!text.includes("\u001b["), "colour codes in the summary");
      assert.match(text, /```\n$/);
    });

    it("the plan job says it is skipped when the repository has no cloud credentials", () => {
      const [output, summary] = [path.join(runnerTemp, "output"), path.join(runnerTemp, "plan-summary.md")];
      const r = runStep(stepNamed(workflow("review.yml"), "Cloud credentials present?"), checkout.dir, {
        YC_SERVICE_ACCOUNT_KEY: "",
        BINGO_SETTINGS_YAML: "",
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
      });
      assert.equal(r.status, 0, r.output);
      assert.equal(fs.readFileSync(output, "utf8"), "present=false\n");
      assert.match(fs.readFileSync(summary, "utf8"), /the real plan is skipped/);
      const gated = workflow("review.yml").jobs.plan.steps.filter((s) => s.name !== "Cloud credentials present?");
      assert.ok(gated.every((s) => s.if === "steps.creds.outputs.present == 'true'"), "a plan step runs without credentials");
    });
  });
});
