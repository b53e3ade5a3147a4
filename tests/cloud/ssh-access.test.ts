// SSH reaches the installation only through its jump host: the settings require an
// explicit range for the frontend, the security groups and the nodes' own firewalls
// let the DB and app nodes answer SSH from the frontend only (cloud and local alike).
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parse as parseYaml, stringify } from "yaml";
import { SettingsError } from "../../settings";
import { FIXTURE, fixtureSettings, Json, resources, ROOT, synthesizeBefore } from "./fixture";

const hasAnsible = spawnSync("ansible-playbook", ["--version"], { stdio: "ignore" }).status === 0;

/** common_firewall_ssh_sources as the playbooks' group_vars resolve it for each host of an inventory. */
function sshSources(inventory: Json): Record<string, string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-ssh-"));
  fs.cpSync(path.join(ROOT, "ansible", "group_vars"), path.join(dir, "group_vars"), { recursive: true });
  fs.writeFileSync(path.join(dir, "inventory.yml"), stringify(inventory));
  fs.writeFileSync(path.join(dir, "ansible.cfg"), "[defaults]\n");
  fs.writeFileSync(
    path.join(dir, "check.yml"),
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug:\n        var: common_firewall_ssh_sources\n",
  );
  const r = spawnSync("ansible-playbook", ["-i", path.join(dir, "inventory.yml"), path.join(dir, "check.yml")], {
    encoding: "utf8",
    env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: "json", ANSIBLE_CONFIG: path.join(dir, "ansible.cfg"), ANSIBLE_LOCALHOST_WARNING: "0" },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const hosts = JSON.parse(r.stdout).plays[0].tasks[0].hosts as Record<string, Json>;
  return Object.fromEntries(Object.entries(hosts).map(([h, v]) => [h, v.common_firewall_ssh_sources]));
}

const local = { ansible_connection: "local", ansible_python_interpreter: "python3" };

describe("SSH only through the jump host", () => {
  let stacks: Record<string, Json>;
  synthesizeBefore((s) => (stacks = s));

  it("the settings require an explicit SSH range and say how to find your address", () => {
    const raw = { ...structuredClone(FIXTURE), network: {} };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseSettings } = require("../../settings") as typeof import("../../settings");
    assert.throws(
      () => parseSettings({ raw, source: "test" }),
      (err: unknown) =>
        err instanceof SettingsError &&
        /network\.ssh_allowed_cidrs \(or env BINGO_SSH_ALLOWED_CIDRS\) is missing: list who may SSH to the frontend/.test(err.message) &&
        /your public IPv4 address is what/.test(err.message),
    );
    assert.deepEqual(fixtureSettings({}, { BINGO_SSH_ALLOWED_CIDRS: "203.0.113.7/32, 198.51.100.0/24" }).network.sshAllowedCidrs, [
      "203.0.113.7/32",
      "198.51.100.0/24",
    ]);
  });

  it("the frontend answers SSH from the settings' range only; it has a fixed private address", () => {
    const fe = resources(stacks.network, "yandex_vpc_security_group").find((g) => g.name.endsWith("-frontend"));
    assert.deepEqual(fe.ingress.filter((r: Json) => r.port === 22).map((r: Json) => r.v4_cidr_blocks), [["198.51.100.7/32"]]);
    const [vm] = resources(stacks.frontend, "yandex_compute_instance");
    assert.equal(vm.network_interface[0].ip_address, "10.10.1.10");
  });

  it("the self-configuring DB and app nodes let SSH in from the frontend's address only", () => {
    const dbs = resources(stacks.db, "yandex_compute_instance");
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.equal(dbs.length, 3);
    for (const ud of [...dbs.map((db) => db.metadata["user-data"]), ig.instance_template.metadata["user-data"]]) {
      const inv = parseYaml(ud).write_files.find((f: Json) => f.path === "/etc/bingo/inventory.yml").content;
      assert.match(inv, /bingo_ssh_jump_sources:\n\s+- 10\.10\.1\.10\/32/);
    }
  });

  it("the controller's inventory names the jump host and the operators' range", () => {
    const [run] = resources(stacks.frontend, "null_resource");
    const inv: string = run.triggers.inventory_sha256;
    // The inventory is inside a Terraform string here: its newlines are escaped.
    assert.match(inv, /bingo_ssh_admin_sources:\\n\s+- 198\.51\.100\.7\/32\\n/);
    assert.match(inv, /bingo_ssh_jump_sources:\\n\s+- 10\.10\.1\.10\/32\\n/);
  });

  it("the nodes' firewalls: DB and app from the jump host only, the frontend from the operators' range", { skip: !hasAnsible && "no ansible" }, () => {
    // Cloud: the controller's inventory variables.
    const cloud = sshSources({
      all: {
        vars: { ...local, bingo_ssh_admin_sources: ["198.51.100.7/32"], bingo_ssh_jump_sources: ["10.10.1.10/32"] },
        children: {
          db: { hosts: { db1: { private_address: "10.10.2.10" }, db2: { private_address: "10.10.2.74" }, db3: { private_address: "10.10.2.138" } } },
          app: { hosts: { "bingo-app-1": { private_address: "10.10.2.6" }, "bingo-app-2": { private_address: "10.10.2.7" } } },
          frontend: { hosts: { "bingo-frontend": { private_address: "10.10.1.10" } } },
        },
      },
    });
    assert.deepEqual(cloud, {
      db1: ["10.10.1.10/32"],
      db2: ["10.10.1.10/32"],
      db3: ["10.10.1.10/32"],
      "bingo-app-1": ["10.10.1.10/32"],
      "bingo-app-2": ["10.10.1.10/32"],
      "bingo-frontend": ["198.51.100.7/32"],
    });
    // Local: no new variable needed for DB and app, the frontend's address is in the inventory.
    const localNodes = sshSources({
      all: {
        vars: local,
        children: {
          db: { hosts: { db1: { private_address: "172.30.77.68" }, db2: { private_address: "172.30.77.84" }, db3: { private_address: "172.30.77.100" } } },
          app: { hosts: { app1: { private_address: "172.30.77.69" }, app2: { private_address: "172.30.77.70" } } },
          frontend: { hosts: { frontend: { private_address: "172.30.77.20" } } },
        },
      },
    });
    for (const db of ["db1", "db2", "db3"]) assert.deepEqual(localNodes[db], ["172.30.77.20"], db);
    assert.deepEqual(localNodes.app1, ["172.30.77.20"]);
    assert.deepEqual(localNodes.app2, ["172.30.77.20"]);
  });
});
