// The suite reads the inventory as Ansible does: ansible-inventory merges the
// inventory file with the group_vars next to it, by Ansible's own precedence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultUrl, firstOf, loadInventory, nodesOf } from "../../acceptance/target/inventory.js";

/** A cloud-like inventory (hosts.yml plus group_vars/all.yml) in a temporary folder. */
function writeInventory(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "inventory-"));
  const file = path.join(dir, "inventories", "cloud", "hosts.yml");
  mkdirSync(path.join(path.dirname(file), "group_vars"), { recursive: true });
  writeFileSync(
    file,
    `all:
  vars:
    bingo_student_email: student@example.org
    ansible_user: from-inventory
    frontend_public_url: https://from-inventory.example.org/
  children:
    db:
      hosts:
        bingo-db: { ansible_host: 10.10.2.5, ansible_ssh_common_args: "-o IdentitiesOnly=yes -o ProxyCommand='ssh -W %h:%p ops@203.0.113.7'" }
    app:
      vars: { ansible_port: 2222 }
      hosts:
        app-a: { ansible_host: app-a.internal, private_address: 10.10.2.11 }
        app-b:
    frontend:
      hosts:
        bingo-frontend: { ansible_host: 203.0.113.7, private_address: 10.10.1.10, ansible_user: frontend-admin }
`,
  );
  writeFileSync(
    path.join(path.dirname(file), "group_vars", "all.yml"),
    `ansible_user: ops
ansible_ssh_private_key_file: /keys/id_ed25519
frontend_public_url: https://bingo.example.org/
`,
  );
  return { dir, file };
}

test("the inventory's hosts carry the variables Ansible merges for them", (t) => {
  const { dir, file } = writeInventory();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inventory = loadInventory(file);
  assert.equal(inventory.kind, "cloud");
  assert.deepEqual(
    inventory.nodes.map((n) => `${n.group}/${n.name}`),
    ["db/bingo-db", "app/app-a", "app/app-b", "frontend/bingo-frontend"],
  );

  const db = firstOf(inventory, "db");
  assert.equal(db.host, "10.10.2.5");
  assert.equal(db.privateAddress, "10.10.2.5", "the private address defaults to the SSH address");
  // group_vars/all.yml outranks the inventory file's all:vars, as in Ansible.
  assert.equal(db.sshUser, "ops");
  assert.equal(db.sshKey, "/keys/id_ed25519");
  assert.equal(db.sshPort, 22);
  assert.deepEqual(db.sshArgs, ["-o", "IdentitiesOnly=yes", "-o", "ProxyCommand=ssh -W %h:%p ops@203.0.113.7"]);

  const [a, b] = nodesOf(inventory, "app");
  assert.deepEqual([a.host, a.privateAddress, a.sshPort], ["app-a.internal", "10.10.2.11", 2222], "group vars reach the group's hosts");
  assert.deepEqual([b.host, b.privateAddress, b.sshPort, b.sshArgs], ["app-b", "app-b", 2222, []], "a host without variables is reached by name");

  assert.equal(firstOf(inventory, "frontend").sshUser, "frontend-admin", "host variables outrank group variables");
});

test("group all's variables are the merged ones: the public URL comes from group_vars", (t) => {
  const { dir, file } = writeInventory();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inventory = loadInventory(file);
  assert.equal(inventory.vars.bingo_student_email, "student@example.org");
  assert.equal(inventory.vars.ansible_user, "ops");
  assert.equal(defaultUrl(inventory), "https://bingo.example.org/");
});

test("a missing inventory says how to make one", () => {
  assert.throws(() => loadInventory(path.join(tmpdir(), "no-such-inventory", "hosts.yml")), /deploy first/);
});
