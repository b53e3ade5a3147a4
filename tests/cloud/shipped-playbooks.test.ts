// What a self-configuring VM unpacks at boot is enough to run its playbook: the
// tarball in the synthesized user-data (DB VM, instance-group template) holds
// every role the playbook uses, checked by ansible-playbook itself.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { ensureBindings, fixtureSettings, Json, resources, synthAll, synthesizeBefore } from "./fixture";

/** Where this machine's ansible package keeps its collections (the controller has the whole package). */
const DIST_COLLECTIONS = "/usr/lib/python3/dist-packages/ansible_collections";
const hasAnsible = spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0 && fs.existsSync(DIST_COLLECTIONS);

interface WriteFile {
  path: string;
  content: string;
  encoding?: string;
}

/** Unpacks what cloud-init would write (tarball, inventory) and the playbook the VM runs. */
function unpack(userData: string): { dir: string; playbook: string; inventory: string } {
  const doc = parseYaml(userData) as { write_files: WriteFile[] };
  const file = (p: string) => {
    const f = doc.write_files.find((w) => w.path === p);
    assert.ok(f, `user-data writes ${p}`);
    return f;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-shipped-"));
  const tar = zlib.gunzipSync(Buffer.from(file("/etc/bingo/ansible.tar.gz").content, "base64"));
  execFileSync("tar", ["-xf", "-", "-C", dir], { input: tar });
  const inventory = path.join(dir, "inventory.yml");
  fs.writeFileSync(inventory, file("/etc/bingo/inventory.yml").content);
  const script = file("/usr/local/sbin/bingo-self-configure").content;
  const m = /\/opt\/bingo-ansible\/(ansible\/\S+\.yml)/.exec(script);
  assert.ok(m, "the self-configure script names its playbook");
  return { dir, playbook: path.join(dir, m[1]), inventory };
}

/**
 * The collections the self-configure script takes from Debian's ansible package, copied
 * from this machine's copy of that package into a folder of their own: what the VM has.
 */
function fetchedCollections(userData: string): string {
  const doc = parseYaml(userData) as { write_files: WriteFile[] };
  const script = doc.write_files.find((w) => w.path === "/usr/local/sbin/bingo-self-configure")?.content ?? "";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-collections-"));
  for (const [, ns, name] of script.matchAll(/ansible_collections\/([a-z0-9_]+)\/([a-z0-9_]+)\/\*/g)) {
    fs.cpSync(path.join(DIST_COLLECTIONS, ns, name), path.join(dir, "ansible_collections", ns, name), { recursive: true });
  }
  return dir;
}

/** ansible-playbook --syntax-check of the shipped playbook, with only the collections the VM fetches. */
function syntaxCheck(userData: string) {
  const { dir, playbook, inventory } = unpack(userData);
  const r = spawnSync("ansible-playbook", ["--syntax-check", "-i", inventory, playbook], {
    encoding: "utf8",
    env: {
      ...process.env,
      ANSIBLE_CONFIG: path.join(dir, "ansible", "ansible.cfg"),
      ANSIBLE_NOCOLOR: "1",
      // A module from any other collection fails the check, as it would fail on the VM.
      ANSIBLE_COLLECTIONS_PATH: fetchedCollections(userData),
      ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: "False",
    },
  });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

describe("what the self-configuring VMs ship", { skip: !hasAnsible && "ansible-playbook is not installed" }, () => {
  let stacks: Record<string, Json>;
  synthesizeBefore((s) => (stacks = s));

  it("the DB VM's tarball runs its playbook with the roles it ships", () => {
    const [vm] = resources(stacks.db, "yandex_compute_instance");
    const r = syntaxCheck(vm.metadata["user-data"]);
    assert.ok(r.ok, r.output);
  });

  it("an app instance's tarball runs app-self.yml with the roles it ships (node_exporter included)", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    const ud: string = ig.instance_template.metadata["user-data"];
    const r = syntaxCheck(ud);
    assert.ok(r.ok, r.output);
    const roles = path.join(unpack(ud).dir, "ansible", "roles");
    assert.ok(fs.existsSync(path.join(roles, "node_exporter", "tasks", "main.yml")));
    // node_exporter includes it at run time, which --syntax-check does not follow.
    assert.ok(fs.existsSync(path.join(roles, "prometheus_exporter", "tasks", "service.yml")), "the exporters' shared role is shipped");
  });
});

/** Variables as the shipped playbooks' group_vars and the shipped inventory resolve them on the VM. */
function shippedVars(userData: string, names: string[]): Record<string, Json> {
  const { dir, inventory } = unpack(userData);
  const check = path.join(dir, "ansible", "playbooks", "check-vars.yml");
  fs.writeFileSync(check, `- hosts: all\n  gather_facts: false\n  tasks:\n${names.map((n) => `    - ansible.builtin.debug: {var: ${n}}\n`).join("")}`);
  const r = spawnSync("ansible-playbook", ["-i", inventory, check], {
    encoding: "utf8",
    env: { ...process.env, ANSIBLE_CONFIG: path.join(dir, "ansible", "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK: "json", ANSIBLE_CALLBACKS_ENABLED: "" },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const tasks = JSON.parse(r.stdout).plays[0].tasks as Json[];
  return Object.fromEntries(names.map((n, i) => [n, tasks[i].hosts.localhost[n]]));
}

describe("a node the group re-creates is monitored and reached as the others", { skip: !hasAnsible && "ansible-playbook is not installed" }, () => {
  it("its exporter answers the frontends' Prometheus, and SSH only the jump hosts", () => {
    ensureBindings();
    const { stacks } = synthAll(fixtureSettings());
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    const v = shippedVars(ig.instance_template.metadata["user-data"], ["common_firewall_allow_monitoring", "common_firewall_ssh_sources", "node_exporter_listen_address"]);
    assert.deepEqual(v.common_firewall_allow_monitoring.map((r: Json) => r.sources), [["10.10.1.10", "10.10.1.138"]]);
    assert.deepEqual(v.common_firewall_ssh_sources, ["10.10.1.10/32", "10.10.1.138/32"]);
    assert.equal(v.node_exporter_listen_address, "0.0.0.0");
  });
});

describe("roles of a playbook", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { rolesOfPlaybook } = require("../../constructs/playbook-roles") as typeof import("../../constructs/playbook-roles");
  const tree = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-roles-"));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return dir;
  };

  it("follows play roles, included roles and meta dependencies, recursively", () => {
    const dir = tree({
      "playbooks/p.yml": "- hosts: all\n  pre_tasks:\n    - ansible.builtin.include_role: {name: fw}\n  roles:\n    - a\n    - role: b\n",
      "roles/a/meta/main.yml": "dependencies: [c]\n",
      "roles/b/tasks/main.yml": "- ansible.builtin.debug: {msg: x}\n",
      "roles/c/meta/main.yml": "dependencies:\n  - role: d\n",
      "roles/d/tasks/main.yml": "- block:\n    - ansible.builtin.import_role: {name: e}\n",
      "roles/e/tasks/main.yml": "[]\n",
      "roles/fw/tasks/main.yml": "[]\n",
      "roles/unused/tasks/main.yml": "[]\n",
    });
    assert.deepEqual(rolesOfPlaybook(dir, "playbooks/p.yml"), ["a", "b", "c", "d", "e", "fw"]);
  });

  it("names the collections of the roles' modules and of ansible.cfg's callbacks, not ansible-core's own", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { collectionsOfRoles } = require("../../constructs/playbook-roles") as typeof import("../../constructs/playbook-roles");
    const dir = tree({
      "ansible.cfg": "[defaults]\ncallbacks_enabled = ansible.posix.timer, ansible.builtin.default\n",
      "roles/a/tasks/main.yml": "- ansible.builtin.debug: {msg: x}\n- block:\n    - community.postgresql.postgresql_query: {query: x}\n",
      "roles/b/handlers/main.yml": "- name: h\n  community.crypto.x509_certificate: {path: x}\n",
      "roles/c/tasks/main.yml": "- community.docker.docker_container: {name: x}\n",
    });
    assert.deepEqual(collectionsOfRoles(dir, ["a", "b"]), ["ansible.posix", "community.crypto", "community.postgresql"]);
  });

  it("a role that does not exist is named with the playbook", () => {
    const dir = tree({ "playbooks/p.yml": "- hosts: all\n  roles: [ghost]\n" });
    assert.throws(() => rolesOfPlaybook(dir, "playbooks/p.yml"), /playbooks\/p\.yml uses role ghost/);
  });
});
