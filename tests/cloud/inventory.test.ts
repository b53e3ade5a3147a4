// One inventory writer for both targets: the frontend stack's inventory and the local
// nodes' one (scripts/lib/local-nodes/inventory.sh) have the same groups and host
// variables, and reach the DB and app hosts through the jump host.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- reads parsed YAML and ansible-inventory's JSON untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { inventoryYaml, type InventoryDescription } from "../../inventory/ansible-inventory";
import { ensureBindings, fixtureSettings, Json, ROOT, synthAll } from "./fixture";

const hasAnsibleInventory = spawnSync("ansible-inventory", ["--version"], { stdio: "ignore" }).status === 0;

const hostsOf = (inv: Json, group: string): Record<string, Json> => inv.all.children[group].hosts;

/** The ProxyCommand in a host's SSH arguments: its ssh options and where it hops to. */
function proxyOf(sshArgs: string): { opts: string; target: string } | undefined {
  const m = / -o ProxyCommand='ssh (.*) -W %h:%p (\S+)'$/.exec(sshArgs);
  return m ? { opts: m[1], target: m[2] } : undefined;
}

describe("the inventory writer", () => {
  const description: InventoryDescription = {
    vars: { ansible_user: "ops" },
    groups: {
      db: { d: { address: "10.0.0.5", privateAddress: "10.0.0.5", sshArgs: "-o A=1", viaJumpHost: true } },
      app: { a: { address: "a.internal", privateAddress: "a.internal", viaJumpHost: true } },
      frontend: { f: { address: "203.0.113.7", privateAddress: "10.0.1.10", sshArgs: "-o F=1" } },
    },
    jumpHost: { host: "f", user: "ops", sshArgs: "-i /k -o F=1" },
  };

  it("lists the groups in order with each host's addresses, and a ProxyCommand for hosts behind the jump host", () => {
    const inv = parse(inventoryYaml(description));
    assert.deepEqual(Object.keys(inv.all.children), ["db", "app", "frontend"]);
    assert.deepEqual(inv.all.vars, { ansible_user: "ops" });
    assert.deepEqual(hostsOf(inv, "db").d, {
      ansible_host: "10.0.0.5",
      private_address: "10.0.0.5",
      ansible_ssh_common_args: "-o A=1 -o ProxyCommand='ssh -i /k -o F=1 -W %h:%p ops@203.0.113.7'",
    });
    assert.equal(hostsOf(inv, "app").a.ansible_ssh_common_args, "-o ProxyCommand='ssh -i /k -o F=1 -W %h:%p ops@203.0.113.7'");
    assert.deepEqual(hostsOf(inv, "frontend").f, { ansible_host: "203.0.113.7", private_address: "10.0.1.10", ansible_ssh_common_args: "-o F=1" });
  });

  it("refuses a jump host it does not list, or a host behind a jump host it is not given", () => {
    assert.throws(() => inventoryYaml({ ...description, jumpHost: { host: "nope", user: "ops", sshArgs: "" } }), /jump host nope is not in the inventory/);
    assert.throws(() => inventoryYaml({ ...description, jumpHost: undefined }), /d is reached through the jump host, but the inventory names none/);
  });
});

describe("the cloud inventory (frontend stack)", () => {
  let inv: Json;
  it("builds from the synthesized stacks", () => {
    ensureBindings();
    synthAll(fixtureSettings(), (stacks) => (inv = parse(stacks.frontend.inventory)));
  });

  it("names the DB VMs as the cluster's members, the app group's members and the frontends", () => {
    assert.deepEqual(Object.keys(inv.all.children), ["db", "app", "frontend"]);
    assert.deepEqual(Object.keys(hostsOf(inv, "db")), ["db1", "db2", "db3"]);
    assert.deepEqual(Object.keys(hostsOf(inv, "app")), ["bingo-app-1", "bingo-app-2"]);
    assert.deepEqual(Object.keys(hostsOf(inv, "frontend")), ["bingo-frontend-1", "bingo-frontend-2"]);
    assert.equal(hostsOf(inv, "app")["bingo-app-1"].ansible_host, "bingo-app-1.ru-central1.internal");
    assert.equal(inv.all.vars.ansible_user, "ansible");
  });

  it("reaches the DB and app hosts through the first frontend's own address, with the key", () => {
    const jump = hostsOf(inv, "frontend")["bingo-frontend-1"];
    for (const [name, host] of Object.entries({ ...hostsOf(inv, "db"), ...hostsOf(inv, "app") })) {
      const proxy = proxyOf(host.ansible_ssh_common_args);
      assert.ok(proxy, `${name} has a ProxyCommand`);
      assert.equal(proxy.target, `ansible@${jump.ansible_host}`, name);
      assert.match(proxy.opts, /^-i \S+ /, `${name}: the hop carries the key`);
    }
    for (const [name, host] of Object.entries(hostsOf(inv, "frontend"))) {
      assert.equal(proxyOf(host.ansible_ssh_common_args), undefined, `${name} is reached directly`);
    }
  });
});

describe("the local inventory (scripts/lib/local-nodes/inventory.sh)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-local-inventory-"));
  const file = path.join(dir, "inventories", "local", "hosts.yml");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // write_inventory with the nodes of local-nodes.conf, its only inputs set to a temporary folder.
  const writeInventory = () =>
    spawnSync(
      "bash",
      [
        "-c",
        `set -euo pipefail
source scripts/lib/common.sh
source scripts/lib/local-nodes.conf
source scripts/lib/local-nodes/nodes.sh
source scripts/lib/local-nodes/inventory.sh
SSH_DIR="$1/ssh" INVENTORY="$2"
write_inventory`,
        "write-inventory",
        dir,
        file,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );

  it("is written private to its owner, and again only when it changes", () => {
    const first = writeInventory();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /inventory written: /);
    assert.equal(fs.statSync(file).mode & 0o077, 0, "readable by its owner only");
    const again = writeInventory();
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, "", "unchanged: not rewritten");
    assert.match(fs.readFileSync(file, "utf8"), /^# Generated by scripts\/local-nodes\.sh for this checkout; do not edit\.\n/);
  });

  it("names the local nodes with their addresses, and the jump node's hop for db and app", () => {
    const inv = parse(fs.readFileSync(file, "utf8"));
    assert.deepEqual(inv.all.vars, {
      ansible_user: "ansible",
      ansible_ssh_private_key_file: `${dir}/ssh/id_ed25519`,
      ansible_ssh_common_args: `-o IdentitiesOnly=yes -o UserKnownHostsFile=${dir}/ssh/known_hosts -o StrictHostKeyChecking=accept-new`,
    });
    assert.deepEqual(Object.keys(hostsOf(inv, "db")), ["db1", "db2", "db3"]);
    assert.deepEqual(Object.values(hostsOf(inv, "db")).map((h) => h.private_address), ["172.30.77.68", "172.30.77.84", "172.30.77.100"]);
    assert.deepEqual(Object.keys(hostsOf(inv, "app")), ["app1", "app2"]);
    assert.deepEqual(Object.keys(hostsOf(inv, "frontend")), ["frontend1", "frontend2"]);
    assert.deepEqual(hostsOf(inv, "frontend").frontend2, { ansible_host: "172.30.77.28", private_address: "172.30.77.28" });
    const app1 = hostsOf(inv, "app").app1;
    assert.equal(app1.ansible_host, "172.30.77.69");
    assert.equal(app1.private_address, "172.30.77.69");
    const proxy = proxyOf(app1.ansible_ssh_common_args);
    assert.ok(proxy);
    assert.equal(proxy.target, "ansible@172.30.77.20");
    assert.match(proxy.opts, new RegExp(`^-i ${dir}/ssh/id_ed25519 -o IdentitiesOnly=yes .*-o BatchMode=yes`));
    assert.doesNotMatch(app1.ansible_ssh_common_args.replace(/ -o ProxyCommand=.*/, ""), / -i /, "the key is all.vars'");
  });

  it("reads in Ansible with the jump host's ProxyCommand for the db and app hosts", { skip: !hasAnsibleInventory && "ansible-inventory is not installed" }, () => {
    const r = spawnSync("ansible-inventory", ["-i", file, "--list"], { encoding: "utf8", env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: "true" } });
    assert.equal(r.status, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    assert.deepEqual(list.db.hosts, ["db1", "db2", "db3"]);
    assert.deepEqual(list.app.hosts, ["app1", "app2"]);
    assert.deepEqual(list.frontend.hosts, ["frontend1", "frontend2"]);
    const vars = list._meta.hostvars;
    for (const node of ["db1", "db2", "db3", "app1", "app2"]) {
      assert.match(vars[node].ansible_ssh_common_args, / -o ProxyCommand='ssh -i \S+ .* -W %h:%p ansible@172\.30\.77\.20'$/, node);
    }
    for (const node of ["frontend1", "frontend2"]) {
      assert.equal(vars[node].ansible_ssh_common_args, `-o IdentitiesOnly=yes -o UserKnownHostsFile=${dir}/ssh/known_hosts -o StrictHostKeyChecking=accept-new`, `${node}: all.vars' options, no hop`);
      assert.equal(vars[node].ansible_host, node === "frontend1" ? "172.30.77.20" : "172.30.77.28");
    }
  });

  it("stops with the reason when a node's group is not one the playbooks know", () => {
    const r = spawnSync(
      "node",
      ["--import", "tsx", "inventory/local-cli.ts", "--user", "ansible", "--key", "/k", "--known-hosts", "/h", "--ssh-opts=-i /k", "--jump-node", "f", "f=frontend=10.0.0.1", "x=cache=10.0.0.2"],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: node x: unknown group 'cache'/);
  });
});
