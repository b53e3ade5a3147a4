// The offline review diff (scripts/review-diff): synthesized base/head pairs with
// known differences give the expected plan-like diff, replacements are marked from
// schema/yandex-replace.json, and no secret appears in what it prints.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { reviewDiff } from "../../scripts/review-diff/main";
import { renderDiff } from "../../scripts/review-diff/render-diff";
import { loadReplaceRecord } from "../../scripts/review-diff/replace-record";
import { MASK, SecretMask } from "../../scripts/review-diff/secret-mask";
import { diffStacks } from "../../scripts/review-diff/stack-diff";
import { Stacks } from "../../stacks";
import { fixtureSettings, Json, resources, synthAll, synthesizeBefore } from "./fixture";

/** The resource a construct path names, e.g. "db/Database1/Instance". */
function resourceAt(scope: IConstruct, constructPath: string): TerraformResource {
  const found = scope.node.findAll().find((c) => c.node.path === constructPath);
  assert.ok(found instanceof TerraformResource, `no resource at ${constructPath}`);
  return found;
}

/** The diff between the fixture's stacks and the same with other settings and adjustments. */
function diffAgainstFixture(headOverrides: Record<string, unknown> = {}, adjust?: (s: Stacks) => void): string {
  const base = synthAll(fixtureSettings());
  const head = synthAll(fixtureSettings(headOverrides), adjust);
  return reviewDiff({ base: base.outdir, head: head.outdir, baseLabel: "base", headLabel: "head" });
}

/** The lines printed for one resource: its header down to the next resource or stack. */
function block(out: string, address: string): string {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith("  # ") && l.includes(` ${address}`));
  assert.ok(start >= 0, `${address} is not in the diff:\n${out}`);
  const end = lines.findIndex((l, i) => i > start + 1 && (l.startsWith("  # ") || l.startsWith("Stack ")));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

describe("offline review diff of the cloud stacks", () => {
  let baseNetwork: Json;
  synthesizeBefore((s) => {
    baseNetwork = s.network;
  });

  it("identical stacks: every stack reports no changes and nothing is replaced", () => {
    const out = diffAgainstFixture();
    for (const stack of ["network", "db", "app", "frontend"]) assert.match(out, new RegExp(`^Stack ${stack}: no changes\\.$`, "m"));
    assert.doesNotMatch(out, /REPLACED/);
  });

  it("an added security-group rule is an in-place update that shows the new rule", () => {
    const [app] = resources(baseNetwork, "yandex_vpc_security_group").filter((g: Json) => g.name === "bingo-app");
    const rule = { description: "node exporter from the frontend", port: 9100, protocol: "TCP", v4_cidr_blocks: ["10.10.1.0/24"] };
    const out = diffAgainstFixture({}, (s) => resourceAt(s.network, "network/SecurityGroups/App").addOverride("ingress", [...app.ingress, rule]));
    assert.match(out, /^Stack network: 0 to add, 1 to change, 0 to destroy\.$/m);
    const sg = block(out, "yandex_vpc_security_group.SecurityGroups_App");
    assert.match(sg, /will be updated in-place/);
    assert.match(sg, /\+ ingress\[\d\] = \{"description":"node exporter from the frontend","port":9100,"protocol":"TCP","v4_cidr_blocks":\["10\.10\.1\.0\/24"\]\}/);
    assert.doesNotMatch(out, /REPLACED|forces replacement/);
    for (const stack of ["db", "app", "frontend"]) assert.match(out, new RegExp(`^Stack ${stack}: no changes\\.$`, "m"));
  });

  it("a changed image rolls the instance group one node at a time and leaves the DB VM alone", () => {
    const out = diffAgainstFixture({ image: { family: "debian-12" } });
    assert.match(block(out, "data.yandex_compute_image.Image"), /~ family = "debian-13" -> "debian-12"/);
    // lifecycle.ignore_changes keeps the DB and frontend VMs on their boot image (their data lives there).
    const dbs = [1, 2, 3].map((n) => `yandex_compute_instance.Database${n}_Instance`);
    for (const vm of [...dbs, "yandex_compute_instance.Frontend1_Instance", "yandex_compute_instance.Frontend2_Instance"]) {
      assert.match(block(out, vm), /changes only in what a plan does not compare[\s\S]*image_id = \(known after apply[^\n]*# not applied: lifecycle\.ignore_changes/);
    }
    assert.doesNotMatch(out, /REPLACED|^!! /m);
    // The group is updated, not replaced: it rolls the new template out under its deploy policy.
    const group = block(out, "yandex_compute_instance_group.AppNodes_Group");
    assert.match(group, /will be updated in-place/);
    assert.match(group, /instance_template\.boot_disk\.initialize_params\.image_id = \(known after apply/);
    assert.match(group, /rolls this out to its instances one by one \(deploy_policy: max_unavailable = 1, max_expansion = 0/);
  });

  it("an argument named in lifecycle.ignore_changes is shown as not applied and replaces nothing", () => {
    const stack = (image: string) => ({
      resource: { yandex_compute_instance: { Vm: { name: "vm", zone: "ru-central1-a", boot_disk: { initialize_params: { image_id: image } }, lifecycle: { ignore_changes: ["boot_disk[0].initialize_params[0].image_id"] } } } },
    });
    const diffs = diffStacks(["s"], { s: stack("fd8old") }, { s: stack("fd8new") }, loadReplaceRecord());
    assert.equal(diffs[0].items.find((i) => i.address === "yandex_compute_instance.Vm")?.action ?? "none", "none");
    const moved = { resource: { yandex_compute_instance: { Vm: { ...stack("fd8new").resource.yandex_compute_instance.Vm, zone: "ru-central1-b" } } } };
    const out = renderDiff(diffStacks(["s"], { s: stack("fd8old") }, { s: moved }, loadReplaceRecord()), new SecretMask(new Map()), { base: "a", head: "b" });
    assert.match(out, /~ zone = "ru-central1-a" -> "ru-central1-b" {2}# forces replacement/);
    assert.match(out, /image_id = "fd8old" -> "fd8new" {2}# not applied: lifecycle\.ignore_changes/);
  });

  it("a DB VM moved to another zone must be replaced, and what reads it follows", () => {
    const out = diffAgainstFixture({}, (s) => resourceAt(s.db, "db/Database1/Instance").addOverride("zone", "ru-central1-b"));
    assert.match(block(out, "yandex_compute_instance.Database1_Instance"), /~ zone = "ru-central1-a" -> "ru-central1-b" {2}# forces replacement/);
    assert.match(out, /^Stack db: 1 to add, 0 to change, 1 to destroy\.$/m);
    // The members' addresses are fixed by the settings: the app nodes' user-data does not change.
    assert.match(out, /^Stack app: no changes\.$/m);
    // The controller's inventory names the new VM's id (its known hosts): known only once it exists.
    assert.match(block(out, "null_resource.Configure_Run"), /triggers\.inventory_sha256 = \(known after apply: db's yandex_compute_instance\.Database1_Instance_\w+\.id changes\) {2}# forces replacement/);
  });

  it("turning on the internal load balancer replaces the instance group and creates the balancer", () => {
    const out = diffAgainstFixture({ app: { port: 8765, load_balancer: true } });
    const group = block(out, "yandex_compute_instance_group.AppNodes_Group");
    assert.match(group, /must be REPLACED/);
    assert.match(group, /\+ load_balancer = \{"target_group_description":.*\} {2}# forces replacement/);
    assert.match(out, /^!! {3}app: yandex_compute_instance_group\.AppNodes_Group_\w+ \(app\/AppNodes\/Group\)$/m);
    assert.match(block(out, "yandex_lb_network_load_balancer.AppNodes_InternalLoadBalancer"), /will be created/);
    assert.match(out, /^Stack app: 3 to add, 0 to change, 1 to destroy\.$/m);
  });

  it("a changed Lockbox value shows as a masked change and appears nowhere in clear", () => {
    // The stacks hold no secret value any more (Lockbox generates the password); a
    // version written by hand must still never print one.
    const stack = (pw: string) => ({
      resource: {
        yandex_lockbox_secret_version: { Version: { secret_id: "e6q0", entries: [{ key: "db_password", text_value: pw }] } },
        null_resource: { Run: { triggers: { note: `db ${pw}` } } },
      },
    });
    const base = { s: stack("fixturePassword1234") };
    const head = { s: stack("anotherPassword98765") };
    const mask = new SecretMask();
    for (const side of [base, head]) mask.learn("yandex_lockbox_secret_version", side.s.resource.yandex_lockbox_secret_version.Version);
    const out = renderDiff(diffStacks(["s"], base, head, loadReplaceRecord()), mask, { base: "a", head: "b" });
    assert.match(out, /~ entries\[0\]\.text_value = \(sensitive value\) -> \(sensitive value\) {2}# forces replacement/);
    assert.doesNotMatch(out, /anotherPassword98765|fixturePassword1234/);
    assert.match(out, new RegExp(`note = "db ${MASK.replace(/[()]/g, "\\$&")}"`));
  });

  it("shows which files changed inside the Ansible tarball and decodes base64 scripts in user-data", () => {
    const tarball = (defaults: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-tarball-"));
      fs.mkdirSync(path.join(dir, "roles", "common", "defaults"), { recursive: true });
      fs.writeFileSync(path.join(dir, "roles", "common", "defaults", "main.yml"), defaults);
      fs.writeFileSync(path.join(dir, "ansible.cfg"), "[defaults]\n");
      return zlib.gzipSync(execFileSync("tar", ["-C", dir, "-cf", "-", "ansible.cfg", "roles"])).toString("base64");
    };
    const userData = (defaults: string, script: string) =>
      ["#cloud-config", "write_files:", "  - path: /etc/bingo/ansible.tar.gz", "    encoding: b64", `    content: ${tarball(defaults)}`, "  - path: /usr/local/sbin/x", "    encoding: b64", `    content: ${Buffer.from(script).toString("base64")}`].join("\n");
    const stack = (defaults: string, script: string) => ({ resource: { yandex_compute_instance: { Vm: { name: "vm", metadata: { "user-data": userData(defaults, script) } } } } });
    const script = (retries: number) => `#!/usr/bin/env python3\n# fetch the secrets\nRETRIES = ${retries}\nprint("fetching the secrets from the metadata service")\n`;
    const out = renderDiff(
      diffStacks(["s"], { s: stack("a: 1\nb: 2\n", script(5)) }, { s: stack("a: 1\nb: 3\n", script(7)) }, loadReplaceRecord()),
      new SecretMask(new Map()),
      { base: "a", head: "b" },
    );
    assert.match(out, /# files in the archive:\n +~ roles\/common\/defaults\/main\.yml:\n +# \(1 unchanged line\)\n +- b: 2\n +\+ b: 3/);
    assert.doesNotMatch(out, /ansible\.cfg/, "an unchanged file of the archive is listed");
    assert.match(out, /# decoded:\n +# \(2 unchanged lines\)\n +- RETRIES = 5\n +\+ RETRIES = 7/);
    assert.match(out, /will be updated in-place/);
  });

  it("masks the value of an output marked sensitive", () => {
    const stack = (value: string) => ({ output: { admin: { value, sensitive: true }, url: { value: `https://${value.length}.example.org/` } } });
    const out = renderDiff(diffStacks(["s"], { s: stack("oldValue1") }, { s: stack("newValue22") }, loadReplaceRecord()), new SecretMask(new Map()), { base: "a", head: "b" });
    assert.match(out, /~ value = \(sensitive value\) -> \(sensitive value\)/);
    assert.match(out, /~ value = "https:\/\/9\.example\.org\/" -> "https:\/\/10\.example\.org\/"/);
    assert.doesNotMatch(out, /oldValue1|newValue22/);
  });

  it("masks private keys, secret-named pairs and learnt secret values inside any text", () => {
    const mask = new SecretMask(new Map([["yandex_lockbox_secret_version", new Set(["entries.text_value"])]]));
    mask.learn("yandex_lockbox_secret_version", { entries: [{ key: "k", text_value: "s3cretValue42" }] });
    const text = mask.text(
      'a: s3cretValue42 token="t1.abcdef" lock_passwd: true\n-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
    );
    assert.equal(text, `a: ${MASK} token="${MASK}" lock_passwd: true\n${MASK}`);
    assert.ok(mask.isSensitive("yandex_lockbox_secret_version", "entries.text_value"));
    assert.ok(mask.isSensitive("anything", "admin_password"));
    assert.ok(!mask.isSensitive("yandex_lockbox_secret_version", "secret_id"));
  });
});
