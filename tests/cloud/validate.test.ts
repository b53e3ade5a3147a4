/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { before, describe, it } from "node:test";
import { ensureBindings, fixtureSettings, Json, ROOT, synthAll } from "./fixture";

const hasTerraform = spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;

/** scripts/validate.sh on the given folders: a real terraform validate against the schema-only provider. */
function validate(...dirs: string[]) {
  const r = spawnSync(path.join(ROOT, "scripts", "validate.sh"), dirs, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

/** A copy of one synthesized stack, changed by edit. */
function brokenCopy(outdir: string, stack: string, edit: (tf: Json) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bingo-broken-${stack}-`));
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  edit(tf);
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(tf, null, 2));
  return dir;
}

/** What terraform validate says of a stack whose first resource of the type edit changed; it must fail. */
function rejectedOutput(outdir: string, stack: string, type: string, edit: (resource: Json) => void): string {
  const r = validate(brokenCopy(outdir, stack, (tf) => edit(Object.values(tf.resource[type])[0])));
  assert.equal(r.ok, false);
  return r.output;
}

describe("offline terraform validate", { skip: !hasTerraform && "terraform is not installed" }, () => {
  let outdir: string;
  before(() => {
    ensureBindings();
    outdir = synthAll(fixtureSettings()).outdir;
  });

  it("every synthesized stack is valid Terraform for the provider's schema", () => {
    const dirs = ["network", "db", "app", "frontend"].map((s) => path.join(outdir, "stacks", s));
    const r = validate(...dirs);
    assert.ok(r.ok, r.output);
    assert.match(r.output, /4 configuration\(s\) valid/);
  });

  it("a misspelt argument is rejected, naming the argument", () => {
    const output = rejectedOutput(outdir, "network", "yandex_vpc_subnet", (subnet) => {
      subnet.v4_cidr_block = subnet.v4_cidr_blocks;
      delete subnet.v4_cidr_blocks;
    });
    assert.match(output, /No argument or block type is named "v4_cidr_block"/);
  });

  it("the null provider's schema is served too: a misspelt null_resource argument is rejected", () => {
    const output = rejectedOutput(outdir, "frontend", "null_resource", (run) => {
      run.trigger = run.triggers;
      delete run.triggers;
    });
    assert.match(output, /No argument or block type is named "trigger"/);
  });

  it("a missing required block is rejected", () => {
    const output = rejectedOutput(outdir, "app", "yandex_compute_instance_group", (ig) => {
      delete ig.scale_policy;
    });
    assert.match(output, /scale_policy/);
    assert.match(output, /(Insufficient|required)/i);
  });

  it("a value of the wrong type is rejected", () => {
    const output = rejectedOutput(outdir, "db", "yandex_compute_instance", (vm) => {
      vm.resources.cores = "many";
    });
    assert.match(output, /number is required|Incorrect attribute value type/);
  });
});
