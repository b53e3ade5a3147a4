// The local "apply" of the synthesized stacks: what each node boots from, and
// what the metadata, Lockbox and instance-group stand-ins serve.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { App } from "cdktf";
import { applyLocally, fillInstancePlaceholders } from "../../local-cloud/apply";
import { hclStringLiteral, localId, resolveRefs } from "../../local-cloud/terraform-refs";
import { ensureBindings, fixtureSettings } from "../cloud/fixture";

const NODES = [
  { node: "db", cloudName: "bingo-db", address: "172.30.77.68" },
  { node: "app1", cloudName: "bingo-app-1", address: "172.30.77.69" },
  { node: "app2", cloudName: "bingo-app-2", address: "172.30.77.70" },
  { node: "frontend1", cloudName: "bingo-frontend-1", address: "172.30.77.20" },
  { node: "frontend2", cloudName: "bingo-frontend-2", address: "172.30.77.28" },
  { node: "balancer", cloudName: "bingo-frontend", address: "172.30.77.252" },
];

function synth(): string {
  ensureBindings();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStacks } = require("../../stacks") as typeof import("../../stacks");
  const outdir = fs.mkdtempSync(path.join("/tmp", "bingo-apply-"));
  const app = new App({ outdir });
  buildStacks(app, fixtureSettings({ network: { private_cidr: "172.30.77.64/26", public_cidr: "172.30.77.16/28", frontend_host: 4, ssh_allowed_cidrs: ["172.30.77.1/32"] } }));
  app.synth();
  return outdir;
}

const outdir = synth();
const applied = applyLocally(outdir, NODES);

test("every node boots from its VM's user-data with no Terraform reference left", () => {
  assert.deepEqual(Object.keys(applied.userData).sort(), ["app1", "app2", "db", "frontend1", "frontend2"]);
  for (const [node, ud] of Object.entries(applied.userData)) {
    assert.match(ud, /^#cloud-config\n/, node);
    assert.doesNotMatch(ud, /\$\{/, `${node} still holds a Terraform reference`);
    assert.doesNotMatch(ud, /\{instance\./, `${node} still holds an instance-group placeholder`);
  }
  // The app instances read the DB VM's address and the secret the DB stack created.
  const secretId = Object.keys(applied.state.secrets)[0];
  assert.match(applied.userData.app1, /bingo_db_addresses:\n\s+- 172\.30\.77\.68\n/);
  assert.ok(applied.userData.app1.includes(`bingo-fetch-secrets ${secretId} `));
  assert.ok(applied.userData.db.includes(`bingo-fetch-secrets ${secretId} `));
});

test("the Lockbox stand-in generates the synthesized secret once and grants it to the VMs' account only", () => {
  const [secretId, secret] = Object.entries(applied.state.secrets)[0];
  assert.deepEqual(Object.keys(secret.entries), ["db_password"]);
  assert.match(secret.entries.db_password, /^[A-Za-z0-9]{32}$/, "as password_payload_specification asks");
  assert.equal(applyLocally(outdir, NODES, applied.state).state.secrets[secretId].entries.db_password, secret.entries.db_password, "a later apply keeps it");
  assert.equal(applied.controllerEnv.BINGO_DB_PASSWORD, secret.entries.db_password, "the controller's run reads it from Lockbox");
  assert.equal(applied.controllerEnv.EXPECTED_APP_PORT, "8765");
  const reader = applied.state.instances["172.30.77.69"].serviceAccountId;
  assert.ok(reader, "the app instance runs as an account");
  assert.equal(applied.state.instances["172.30.77.68"].serviceAccountId, reader);
  assert.equal(applied.state.instances["172.30.77.20"].serviceAccountId, undefined, "the frontend has no account");
  assert.deepEqual(applied.state.grants, [{ secretId, member: `serviceAccount:${reader}`, role: "lockbox.payloadViewer" }]);
});

test("the group controller gets the group's health check and the VPC DNS names", () => {
  assert.deepEqual(applied.state.group.healthCheck, { port: 8765, path: "/ping", intervalS: 10, timeoutS: 5, healthyThreshold: 2, unhealthyThreshold: 3 });
  assert.deepEqual(applied.state.group.members.map((m) => m.node), ["app1", "app2"]);
  assert.equal(applied.state.group.healAction, "restart", "max_expansion = 0: the group restarts an unhealthy instance");
  assert.equal(applied.names.app2, "bingo-app-2.ru-central1.internal");
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
