// The local "apply" of the synthesized stacks: what each node boots from, and
// what the metadata, Lockbox and instance-group stand-ins serve.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { applyLocally, fillInstancePlaceholders } from "../../local-cloud/apply";
import { hclStringLiteral, localId, resolveRefs } from "../../local-cloud/terraform-refs";
import { loadSettings } from "../../settings";
import { dbMembers, frontendPrivateAddresses } from "../../stacks/tiers";
import { FIXTURE } from "../cloud/fixture";
import { LOCAL_NODES, synthLocalStacks } from "./local-nodes";

const NODES = LOCAL_NODES;

const outdir = synthLocalStacks("bingo-apply-");
const applied = applyLocally(outdir, NODES);

/** A secret of the Lockbox stand-in by its name: its id and entries. */
const secretNamed = (name: string): { id: string; entries: Record<string, string> } => {
  const found = Object.entries(applied.state.secrets).find(([, x]) => x.name === name);
  assert.ok(found, `no secret ${name}`);
  return { id: found[0], entries: found[1].entries };
};

/** The variables a node's user-data gives its own inventory. */
const hostVarsOf = (node: string): Record<string, unknown> => {
  const file = (parse(applied.userData[node]) as { write_files: { path: string; content: string }[] }).write_files.find((f) => f.path === "/etc/bingo/inventory.yml");
  assert.ok(file, `${node} has no inventory`);
  const children = (parse(file.content) as { all: { children: Record<string, { hosts: { localhost: Record<string, unknown> } }> } }).all.children;
  return Object.values(children)[0].hosts.localhost;
};

test("every node boots from its VM's user-data with no Terraform reference left", () => {
  assert.deepEqual(Object.keys(applied.userData).sort(), ["app1", "app2", "db1", "db2", "db3", "frontend1", "frontend2"]);
  for (const [node, ud] of Object.entries(applied.userData)) {
    assert.match(ud, /^#cloud-config\n/, node);
    assert.doesNotMatch(ud, /\$\{/, `${node} still holds a Terraform reference`);
    assert.doesNotMatch(ud, /\{instance\./, `${node} still holds an instance-group placeholder`);
  }
  // The app instances read the DB cluster's members and the secret the DB stack created.
  const members = [
    { name: "db1", address: "172.30.77.68" },
    { name: "db2", address: "172.30.77.84" },
    { name: "db3", address: "172.30.77.100" },
  ];
  assert.deepEqual(hostVarsOf("app1").bingo_db_members, members);
  const password = secretNamed("bingo-secrets").id;
  const cluster = secretNamed("bingo-db-secrets").id;
  assert.ok(applied.userData.app1.includes(`bingo-fetch-secrets ${password} /etc/bingo/secrets.json bingo_db_password=db_password || exit 1`));
  // Each DB node: every member, its own address, and both secrets.
  members.forEach((member, i) => {
    const node = `db${i + 1}`;
    assert.deepEqual(hostVarsOf(node).bingo_db_members, members, node);
    assert.equal(hostVarsOf(node).private_address, member.address, node);
    assert.ok(
      applied.userData[node].includes(`bingo-fetch-secrets ${password} /etc/bingo/secrets.json bingo_db_password=db_password ${cluster} bingo_db_cluster_secret=cluster_secret || exit 1`),
      node,
    );
  });
});

test("the Lockbox stand-in generates each synthesized secret once and keeps it on a later apply", () => {
  const password = secretNamed("bingo-secrets");
  const cluster = secretNamed("bingo-db-secrets");
  assert.deepEqual(Object.keys(password.entries), ["db_password"]);
  assert.deepEqual(Object.keys(cluster.entries), ["cluster_secret"]);
  assert.match(password.entries.db_password, /^[A-Za-z0-9]{32}$/, "as password_payload_specification asks");
  assert.match(cluster.entries.cluster_secret, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(cluster.entries.cluster_secret, password.entries.db_password);
  const again = applyLocally(outdir, NODES, applied.state).state.secrets;
  assert.equal(again[password.id].entries.db_password, password.entries.db_password, "a later apply keeps it");
  assert.equal(again[cluster.id].entries.cluster_secret, cluster.entries.cluster_secret, "a later apply keeps it");
  assert.equal(applied.controllerEnv.BINGO_DB_PASSWORD, password.entries.db_password, "the controller's run reads it from Lockbox");
  assert.equal(applied.controllerEnv.BINGO_DB_CLUSTER_SECRET, cluster.entries.cluster_secret, "the controller's run reads it from Lockbox");
  assert.equal(applied.controllerEnv.EXPECTED_APP_PORT, "8765");
});

test("the DB nodes run as one account that reads both secrets; the app nodes as another that reads the password only", () => {
  const app = applied.state.instances["172.30.77.69"].serviceAccountId;
  const db = applied.state.instances["172.30.77.68"].serviceAccountId;
  assert.ok(app && db, "the app and DB nodes run as accounts");
  assert.notEqual(app, db);
  assert.equal(applied.state.instances["172.30.77.70"].serviceAccountId, app);
  for (const address of ["172.30.77.84", "172.30.77.100"]) assert.equal(applied.state.instances[address].serviceAccountId, db);
  assert.equal(applied.state.instances["172.30.77.20"].serviceAccountId, undefined, "the frontend has no account");
  const readers = (secret: string) =>
    applied.state.grants
      .filter((g) => g.secretId === secretNamed(secret).id && g.role === "lockbox.payloadViewer")
      .map((g) => g.member)
      .sort();
  assert.deepEqual(readers("bingo-secrets"), [`serviceAccount:${app}`, `serviceAccount:${db}`].sort());
  assert.deepEqual(readers("bingo-db-secrets"), [`serviceAccount:${db}`]);
  assert.equal(applied.state.grants.length, 3, "no other grant");
});

test("the group controller gets the group's health check and the VPC DNS names", () => {
  assert.deepEqual(applied.state.group.healthCheck, { port: 8765, path: "/ping", intervalS: 10, timeoutS: 5, healthyThreshold: 2, unhealthyThreshold: 3 });
  assert.deepEqual(applied.state.group.members.map((m) => m.node), ["app1", "app2"]);
  assert.equal(applied.state.group.healAction, "restart", "max_expansion = 0: the group restarts an unhealthy instance");
  assert.equal(applied.names.app2, "bingo-app-2.ru-central1.internal");
  assert.deepEqual([1, 2, 3].map((n) => applied.names[`db${n}`]), [1, 2, 3].map((n) => `bingo-db-${n}.ru-central1.internal`));
  assert.equal(applied.groupVars.bingo_public_url, "http://172.30.77.252", "the service answers on the balancer's address");
  assert.deepEqual(applied.groupVars.frontend_upstream_hosts, ["bingo-app-1.ru-central1.internal", "bingo-app-2.ru-central1.internal"]);
  assert.ok(!Object.keys(applied.groupVars).some((k) => k.startsWith("ansible_")), "connection settings stay the local inventory's");
});

test("a reference the local apply does not know stops it with the place to teach it", () => {
  const ctx = { stacks: { s: { resource: { yandex_vpc_network: { N: {} } } } }, addresses: {} };
  assert.equal(resolveRefs(ctx, "s", "${yandex_vpc_network.N.id}"), localId("s", "yandex_vpc_network.N"));
  assert.equal(resolveRefs(ctx, "s", "$${literal}"), "${literal}");
  assert.throws(() => resolveRefs(ctx, "s", "${yandex_vpc_network.N.subnet_ids}"), /cannot resolve .*local-cloud\/terraform-refs\.ts/);
  assert.throws(() => fillInstancePlaceholders("{instance.short_id}", 1), /does not fill \{instance\.short_id\}/);
  assert.equal(fillInstancePlaceholders("bingo-app-{instance.index}", 2), "bingo-app-2");
});

test("an HCL string literal is read to its end, interpolations with quotes and braces kept whole", () => {
  const src = '"a\\n${lookup({ for k, v in x: v.f => v.i }, "b}", "c")} \\"d\\""';
  assert.deepEqual(hclStringLiteral(src, 0), { text: 'a\n${lookup({ for k, v in x: v.f => v.i }, "b}", "c")} "d"', end: src.length - 1 });
  assert.equal(hclStringLiteral(src, 0, () => "X").text, 'a\nX "d"');
});

test("the frontends' balancer: its listeners, both frontends as targets, and the health check a draining frontend fails", () => {
  assert.deepEqual(applied.state.balancer, {
    listeners: [
      { port: 80, protocol: "tcp" },
      { port: 443, protocol: "tcp" },
      { port: 443, protocol: "udp" },
    ],
    targets: ["172.30.77.20", "172.30.77.28"],
    healthCheck: { port: 80, path: "/healthz", intervalS: 2, timeoutS: 1, healthyThreshold: 2, unhealthyThreshold: 2 },
  });
});

test("the local nodes (local-nodes.conf) play the DB VMs the local settings synthesize, at the addresses those fix", () => {
  const root = path.resolve(__dirname, "..", "..");
  const settings = loadSettings({ BINGO_SETTINGS: path.join(root, "scripts", "lib", "local-settings.yaml"), BINGO_SSH_PUBLIC_KEY: FIXTURE.ssh.public_key }, root);
  const conf = execFileSync(
    "bash",
    ["-c", 'source scripts/lib/local-nodes.conf; for n in "${NODES[@]}"; do echo "$n ${NODE_GROUP[$n]} ${NODE_IP[$n]} ${NODE_CLOUD_NAME[$n]}"; done'],
    { cwd: root, encoding: "utf8" },
  )
    .trim()
    .split("\n")
    .map((line) => line.split(" "));
  assert.deepEqual(conf.map(([node]) => node), ["db1", "db2", "db3", "app1", "app2", "frontend1", "frontend2"]);
  const ofGroup = (group: string) => conf.filter(([, g]) => g === group);
  assert.deepEqual(ofGroup("db").map(([node, , ip, cloudName]) => ({ name: node, address: ip, cloudName })), dbMembers(settings).map((m, i) => ({ name: m.name, address: m.address, cloudName: `bingo-db-${i + 1}` })));
  assert.deepEqual(ofGroup("db").map(([, , ip]) => ip), ["172.30.77.68", "172.30.77.84", "172.30.77.100"]);
  assert.deepEqual(ofGroup("frontend").map(([, , ip]) => ip), frontendPrivateAddresses(settings));
  // The app nodes are where the group's instances would be: the first private subnet (zone's), with db1.
  assert.deepEqual(ofGroup("app").map(([, , ip]) => ip), ["172.30.77.69", "172.30.77.70"]);
  for (const [node, , ip] of ofGroup("app")) assert.ok(Number(ip.split(".")[3]) > 64 && Number(ip.split(".")[3]) < 79, `${node} ${ip} is in 172.30.77.64/28`);
});
