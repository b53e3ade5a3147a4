// scripts/controller-run.sh, the controller's Ansible run of the cloud and the local
// nodes, against stand-ins for ansible and ansible-playbook that record their calls.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { before, describe, it } from "node:test";
import { ROOT } from "./fixture";

describe("the controller's run (scripts/controller-run.sh)", () => {
  let dir: string;
  let log: string;
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    fs.writeFileSync(log, "");
    const r = spawnSync(path.join(ROOT, "scripts", "controller-run.sh"), args, {
      encoding: "utf8",
      env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, LOG: log, FAKE_PORT: "8765", NO_COLOR: "1", ...extra },
    });
    return { status: r.status, output: `${r.stdout}\n${r.stderr}`, calls: fs.readFileSync(log, "utf8").split("\n").filter(Boolean) };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-controller-run-"));
    log = path.join(dir, "log");
    fs.mkdirSync(path.join(dir, "bin"));
    // ansible: records the call; the app nodes report the port the binary chose.
    fs.writeFileSync(
      path.join(dir, "bin", "ansible"),
      '#!/bin/sh\necho "ansible $*" >>"$LOG"\ncase "$*" in *bingo.fact*) printf \'%s | CHANGED | rc=0 | (stdout) {"port": %s}\\n\' app1 "$FAKE_PORT" app2 "$FAKE_PORT";; esac\n',
      { mode: 0o755 },
    );
    // ansible-playbook: records the call and what an extra-vars file held, and its mode.
    fs.writeFileSync(
      path.join(dir, "bin", "ansible-playbook"),
      '#!/bin/sh\necho "ansible-playbook $* (cwd $PWD, config $ANSIBLE_CONFIG)" >>"$LOG"\n' +
        'for a in "$@"; do case "$a" in @*) f="${a#@}"; echo "extra $(stat -c %a "$f") $(cat "$f")" >>"$LOG";; esac; done\n',
      { mode: 0o755 },
    );
    // A local-style inventory: a folder.
    fs.mkdirSync(path.join(dir, "inventory", "group_vars"), { recursive: true });
  });

  it("waits for SSH and cloud-init, then runs site.yml from ansible/ with the given options", () => {
    const r = run([path.join(dir, "inventory"), "--limit", "app"], { BINGO_WAIT_SECONDS: "120" });
    assert.equal(r.status, 0, r.output);
    assert.equal(r.calls.length, 3, r.calls.join("\n"));
    assert.match(r.calls[0], /^ansible all -i .*\/inventory -m ansible\.builtin\.wait_for_connection -a timeout=120$/);
    assert.match(r.calls[1], /^ansible all -i .*\/inventory -b -m ansible\.builtin\.shell -a command -v cloud-init >\/dev\/null \|\| exit 0; timeout 120 sh -c 'until \[ -e \/run\/cloud-init\/result\.json \]/);
    assert.match(r.calls[2], new RegExp(`^ansible-playbook -i .*/inventory site\\.yml --limit app \\(cwd ${ROOT}/ansible, config ${ROOT}/ansible/ansible\\.cfg\\)$`));
  });

  it("waits an hour by default: the DB's first boot loads its data (9-20 min)", () => {
    const r = run([path.join(dir, "inventory")]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.calls[0], /timeout=3600$/);
  });

  it("with EXPECTED_APP_PORT it passes when every app node reports that port", () => {
    const r = run([path.join(dir, "inventory")], { EXPECTED_APP_PORT: "8765" });
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /bingo answers on port 8765 on every app node/);
  });

  it("and stops with the value to put in app.port when bingo listens elsewhere", () => {
    const r = run([path.join(dir, "inventory")], { EXPECTED_APP_PORT: "8765", FAKE_PORT: "4922" });
    assert.notEqual(r.status, 0);
    assert.match(r.output, /bingo listens on port 4922 .* app\.port in the settings is 8765/);
    assert.match(r.output, /set app\.port: 4922 in settings\.yaml/);
  });

  it("refuses a missing inventory before calling Ansible, saying what to pass", () => {
    const none = run([]);
    assert.notEqual(none.status, 0);
    assert.match(none.output, /usage: scripts\/controller-run\.sh INVENTORY/);
    const missing = run([path.join(dir, "nope.yml")]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.output, /inventory .*nope\.yml does not exist/);
    assert.deepEqual(missing.calls, []);
  });

  it("hands BINGO_DB_PASSWORD to the playbooks as an owner-only extra-vars file, never on the command line", () => {
    const r = run([path.join(dir, "inventory")], { BINGO_DB_PASSWORD: "s3cretFromLockbox" });
    assert.equal(r.status, 0, r.output);
    const playbook = r.calls.find((c) => c.startsWith("ansible-playbook"))!;
    assert.match(playbook, /-e @\S+ site\.yml/);
    assert.ok(!playbook.includes("s3cretFromLockbox"));
    assert.ok(r.calls.includes('extra 600 {"bingo_db_password": "s3cretFromLockbox"}'), r.calls.join("\n"));
    assert.ok(!r.output.includes("s3cretFromLockbox"));
  });

  it("hands BINGO_DB_CLUSTER_SECRET over the same way, in the same owner-only file as the password", () => {
    const r = run([path.join(dir, "inventory")], { BINGO_DB_PASSWORD: "s3cretFromLockbox", BINGO_DB_CLUSTER_SECRET: "clusterS3cretFromLockbox" });
    assert.equal(r.status, 0, r.output);
    const playbook = r.calls.find((c) => c.startsWith("ansible-playbook"))!;
    assert.equal(playbook.match(/-e @/g)?.length, 1, "one extra-vars file");
    assert.ok(r.calls.includes('extra 600 {"bingo_db_password": "s3cretFromLockbox", "bingo_db_cluster_secret": "clusterS3cretFromLockbox"}'), r.calls.join("\n"));
    for (const secret of ["s3cretFromLockbox", "clusterS3cretFromLockbox"]) {
      assert.ok(!playbook.includes(secret) && !r.output.includes(secret), `${secret} leaked`);
    }
    const alone = run([path.join(dir, "inventory")], { BINGO_DB_CLUSTER_SECRET: "clusterS3cretFromLockbox" });
    assert.equal(alone.status, 0, alone.output);
    assert.ok(alone.calls.includes('extra 600 {"bingo_db_cluster_secret": "clusterS3cretFromLockbox"}'), alone.calls.join("\n"));
    const none = run([path.join(dir, "inventory")]);
    assert.ok(!none.calls.some((c) => c.startsWith("extra ")), "no file without a secret to hand over");
  });

  it("forgets the host keys of instances the inventory no longer names, keeps the others", () => {
    const known = path.join(dir, "known_hosts.d");
    fs.mkdirSync(known, { recursive: true });
    fs.writeFileSync(path.join(known, "fhm-live"), "10.10.2.5 ssh-ed25519 AAAA\n");
    fs.writeFileSync(path.join(known, "fhm-gone"), "10.10.2.6 ssh-ed25519 BBBB\n");
    const inventory = path.join(dir, "hosts.yml");
    fs.writeFileSync(inventory, `all:\n  vars:\n    ansible_ssh_common_args: -o UserKnownHostsFile=${known}/fhm-live\n`);
    const r = run([inventory], { BINGO_KNOWN_HOSTS_DIR: known });
    assert.equal(r.status, 0, r.output);
    assert.deepEqual(fs.readdirSync(known), ["fhm-live"]);
    assert.match(r.output, /forgot the host key of fhm-gone/);
  });
});
