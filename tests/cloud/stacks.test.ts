/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { App, TerraformStack } from "cdktf";
import { parse as parseYaml } from "yaml";
import { ensureBindings, fixtureSettings, Json, resources, synthAll, synthesizeBefore } from "./fixture";

const ingressOf = (sg: Json): Json[] => sg.ingress ?? [];
const sgNamed = (stack: Json, suffix: string): Json => resources(stack, "yandex_vpc_security_group").find((g) => g.name.endsWith(suffix));
const userData = (md: Json): string => md["user-data"];
/** The variables a self-configuring VM's user-data gives its own inventory (group group, host localhost). */
const hostVarsOf = (ud: string, group: string): Json => {
  const inventory = parseYaml(ud).write_files.find((f: Json) => f.path === "/etc/bingo/inventory.yml").content;
  return parseYaml(inventory).all.children[group].hosts.localhost;
};

describe("synthesized cloud stacks", () => {
  let stacks: Record<string, Json>;
  synthesizeBefore((s) => (stacks = s));

  it("there is one stack per deployable unit", () => {
    assert.deepEqual(Object.keys(stacks).sort(), ["app", "db", "frontend", "network"]);
  });

  it("network: one VPC, a public subnet per frontend zone, a private subnet per DB zone, private egress through a NAT gateway", () => {
    const n = stacks.network;
    assert.equal(resources(n, "yandex_vpc_network").length, 1);
    const subnets = resources(n, "yandex_vpc_subnet");
    assert.deepEqual(
      subnets.map((s) => [s.name, s.zone, s.v4_cidr_blocks[0]]).sort(),
      [
        ["bingo-private", "ru-central1-a", "10.10.2.0/26"],
        ["bingo-private-2", "ru-central1-b", "10.10.2.64/26"],
        ["bingo-private-3", "ru-central1-d", "10.10.2.128/26"],
        ["bingo-public", "ru-central1-a", "10.10.1.0/25"],
        ["bingo-public-2", "ru-central1-b", "10.10.1.128/25"],
      ],
    );
    const gw = resources(n, "yandex_vpc_gateway");
    assert.equal(gw.length, 1);
    assert.ok(gw[0].shared_egress_gateway);
    const rt = resources(n, "yandex_vpc_route_table")[0];
    assert.equal(rt.static_route[0].destination_prefix, "0.0.0.0/0");
    assert.match(rt.static_route[0].gateway_id, /yandex_vpc_gateway\./);
    for (const priv of subnets.filter((s) => s.name.includes("private"))) assert.match(priv.route_table_id, /yandex_vpc_route_table\./, priv.name);
    assert.equal(subnets.find((s) => s.name.endsWith("public")).route_table_id, undefined);
  });

  it("frontend group: only 80/tcp, 443/tcp, 443/udp and SSH are open to others; Alertmanager's ports to the other frontends only", () => {
    const rules = ingressOf(sgNamed(stacks.network, "-frontend"));
    const outside = rules.filter((r: Json) => r.predefined_target === undefined);
    assert.deepEqual(outside.map((r: Json) => `${r.protocol}/${r.port}`).sort(), ["TCP/22", "TCP/443", "TCP/80", "UDP/443"]);
    const peers = rules.filter((r: Json) => r.predefined_target !== undefined);
    assert.deepEqual(peers.map((r: Json) => `${r.protocol}/${r.port}`).sort(), ["TCP/9093", "TCP/9094", "UDP/9094"]);
    for (const r of peers) {
      assert.equal(r.predefined_target, "self_security_group");
      assert.equal(r.v4_cidr_blocks, undefined);
      assert.equal(r.security_group_id, undefined);
    }
  });

  it("app group: the processes' ports only from the frontend and health checks, SSH only from the frontend", () => {
    const app = ingressOf(sgNamed(stacks.network, "-app"));
    assert.ok(app.every((r: Json) => r.v4_cidr_blocks === undefined), "no CIDR-wide ingress on app nodes");
    // Two processes by default: app.port and app.port + 1, one rule per source for the range.
    const port = app.filter((r: Json) => r.from_port === 8765 && r.to_port === 8766 && r.port === undefined);
    assert.deepEqual([...new Set(app.filter((r: Json) => r.port !== undefined).map((r: Json) => r.port))].sort(), [22, 9100]);
    assert.equal(port.length, 2);
    assert.ok(port.some((r: Json) => /\.Frontend\b|frontend/i.test(r.security_group_id ?? "")));
    assert.ok(port.some((r: Json) => r.predefined_target === "loadbalancer_healthchecks"));
    const ssh = app.filter((r: Json) => r.port === 22);
    assert.equal(ssh.length, 1);
    assert.match(ssh[0].security_group_id, /SecurityGroups_Frontend/);
  });

  it("monitoring: the exporters' ports on the app and DB nodes are open to the frontend's Prometheus only", () => {
    const scraped = (suffix: string) =>
      ingressOf(sgNamed(stacks.network, suffix)).filter((r: Json) => /Prometheus/.test(r.description ?? ""));
    // node exporter everywhere; the PostgreSQL (9187) and pgbouncer (9127) exporters, Patroni (8008)
    // and etcd's metrics (2381) on the DB nodes.
    assert.deepEqual(scraped("-app").map((r: Json) => r.port).sort(), [9100]);
    assert.deepEqual(scraped("-db").map((r: Json) => r.port).sort((a: number, b: number) => a - b), [2381, 8008, 9100, 9127, 9187]);
    for (const r of [...scraped("-app"), ...scraped("-db")]) {
      assert.match(r.security_group_id, /SecurityGroups_Frontend/);
      assert.equal(r.v4_cidr_blocks, undefined);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { scrapedPorts } = require("../../stacks/monitoring-ports") as typeof import("../../stacks/monitoring-ports");
    assert.deepEqual(scrapedPorts().db, [2381, 8008, 9100, 9127, 9187], "the ports come from the roles' scrape jobs");
  });

  it("db group: pgbouncer and Patroni's REST API from the app nodes, the cluster's ports from the other DB nodes, SSH and metrics from the frontend, nothing wider", () => {
    const db = ingressOf(sgNamed(stacks.network, "-db"));
    const from = (source: RegExp | string) =>
      db
        .filter((r: Json) => (typeof source === "string" ? r.predefined_target === source : source.test(r.security_group_id ?? "")))
        .map((r: Json) => `${r.protocol}/${r.port}`)
        .sort();
    assert.deepEqual(from(/SecurityGroups_App/), ["TCP/6432", "TCP/8008"], "the app nodes: pgbouncer and HAProxy's primary check, not PostgreSQL");
    assert.deepEqual(from("self_security_group"), ["TCP/2379", "TCP/2380", "TCP/5432", "TCP/8008"], "the members: etcd, PostgreSQL, Patroni");
    assert.deepEqual(from(/SecurityGroups_Frontend/), ["TCP/22", "TCP/2381", "TCP/8008", "TCP/9100", "TCP/9127", "TCP/9187"], "SSH and Prometheus");
    assert.equal(from(/./).length + from("self_security_group").length, db.length, "every rule names one of those sources");
    assert.ok(db.every((r: Json) => r.v4_cidr_blocks === undefined), "no CIDR-wide ingress on the DB nodes");
    assert.ok(db.every((r: Json) => r.protocol === "TCP" && Number.isInteger(r.port)), "single TCP ports, no ranges");
  });

  it("the cluster's and Alertmanager's ports come from group_vars/all.yml, where the roles read them", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { installationPorts } = require("../../stacks/monitoring-ports") as typeof import("../../stacks/monitoring-ports");
    assert.deepEqual(installationPorts(), {
      pgbouncer: 6432,
      postgresql: 5432,
      patroniRest: 8008,
      etcdClient: 2379,
      etcdPeer: 2380,
      alertmanager: 9093,
      alertmanagerCluster: 9094,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-ports-"));
    fs.mkdirSync(path.join(dir, "roles"));
    fs.mkdirSync(path.join(dir, "group_vars"));
    fs.writeFileSync(path.join(dir, "group_vars", "all.yml"), "bingo_pgbouncer_port: 6432\npostgresql_port: 5432\n");
    assert.throws(() => installationPorts(dir), /ansible\/group_vars\/all\.yml: patroni_rest_port \(\{\{ patroni_rest_port \}\}\) does not resolve to a TCP port/);
  });

  it("db: three VMs without a public address, one per DB zone in its zone's subnet, each at host 10 of it", () => {
    const vms = resources(stacks.db, "yandex_compute_instance");
    assert.deepEqual(
      vms.map((vm) => [vm.name, vm.zone, vm.network_interface[0].ip_address]),
      [
        ["bingo-db-1", "ru-central1-a", "10.10.2.10"],
        ["bingo-db-2", "ru-central1-b", "10.10.2.74"],
        ["bingo-db-3", "ru-central1-d", "10.10.2.138"],
      ],
    );
    const subnets = ["PrivateSubnet_", "PrivateSubnet2_", "PrivateSubnet3_"];
    vms.forEach((vm, i) => {
      assert.equal(vm.network_interface[0].nat, false, vm.name);
      assert.match(vm.network_interface[0].subnet_id, new RegExp(`terraform_remote_state\\.cross-stack-reference-input-network\\.outputs\\.\\S*Network_${subnets[i]}`), vm.name);
    });
  });

  it("db: every DB VM creates the ansible user and configures itself, knowing every member and its own address", () => {
    const vms = resources(stacks.db, "yandex_compute_instance");
    const members = [
      { name: "db1", address: "10.10.2.10" },
      { name: "db2", address: "10.10.2.74" },
      { name: "db3", address: "10.10.2.138" },
    ];
    vms.forEach((vm, i) => {
      const ud = userData(vm.metadata);
      assert.match(ud, /^#cloud-config\n/);
      assert.match(ud, /name: ansible[\s\S]*ssh-ed25519 AAAAC3Nza/);
      assert.match(ud, /playbooks\/db\.yml/);
      const vars = hostVarsOf(ud, "db");
      assert.deepEqual(vars.bingo_db_members, members, vm.name);
      assert.equal(vars.private_address, members[i].address, vm.name);
      assert.equal(vars.bingo_db_addresses, undefined, "group_vars/all.yml derives them from bingo_db_members");
    });
  });

  it("a new image in the family replaces neither a database nor a frontend VM", () => {
    const vms = [...resources(stacks.db, "yandex_compute_instance"), ...resources(stacks.frontend, "yandex_compute_instance")];
    assert.equal(vms.length, 5);
    for (const vm of vms) {
      assert.match(vm.boot_disk.initialize_params.image_id, /data\.yandex_compute_image\./, "the image still comes from the family");
      assert.deepEqual(vm.lifecycle?.ignore_changes, ["boot_disk[0].initialize_params[0].image_id"], `${vm.name} keeps its boot image`);
    }
  });

  it("one process per node: the app group opens its single port, no range", () => {
    const one = synthAll(fixtureSettings({ app: { port: 8765, processes: 1 } })).stacks;
    const app = ingressOf(sgNamed(one.network, "-app"));
    assert.equal(app.filter((r: Json) => r.port === 8765).length, 2);
    assert.ok(app.every((r: Json) => r.from_port === undefined && r.to_port === undefined));
  });

  it("app: a fixed group of 2 healing on /ping, updated one node at a time, with stable host names", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.equal(ig.scale_policy.fixed_scale.size, 2);
    assert.equal(ig.health_check[0].http_options.path, "/ping");
    assert.equal(ig.health_check[0].http_options.port, 8765);
    assert.equal(ig.deploy_policy.max_unavailable, 1);
    assert.equal(ig.deploy_policy.max_expansion, 0);
    assert.equal(ig.instance_template.hostname, "bingo-app-{instance.index}");
    assert.equal(ig.instance_template.network_interface[0].nat, false);
    const ud = userData(ig.instance_template.metadata);
    assert.match(ud, /name: ansible/);
    assert.match(ud, /ansible-playbook -i \/etc\/bingo\/inventory\.yml .*playbooks\/app-self\.yml/);
    assert.match(ud, /path: \/etc\/bingo\/ansible\.tar\.gz\n\s+encoding: b64/);
    assert.deepEqual(hostVarsOf(ud, "app").bingo_db_members.map((m: Json) => `${m.name} ${m.address}`), ["db1 10.10.2.10", "db2 10.10.2.74", "db3 10.10.2.138"]);
    // A new instance publishes its processes itself: it knows the port and how many.
    assert.equal(hostVarsOf(ud, "app").bingo_port, 8765);
    assert.equal(hostVarsOf(ud, "app").bingo_app_processes, 2);
    assert.ok(!/\{\{/.test(ud), "no Jinja braces in instance-group metadata");
    assert.ok(ud.length < 200_000, `user-data is ${ud.length} bytes; the cloud's limit is 256 KiB`);
  });

  it("app: the group's service account gets only the roles it needs", () => {
    const roles = resources(stacks.app, "yandex_resourcemanager_folder_iam_member").map((m) => m.role).sort();
    assert.deepEqual(roles, ["compute.editor", "vpc.user"]);
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.match(ig.service_account_id, /yandex_iam_service_account\./);
    // It attaches the instances' account to them: iam.serviceAccounts.user on that account only.
    const [use] = resources(stacks.app, "yandex_iam_service_account_iam_member");
    assert.equal(use.role, "iam.serviceAccounts.user");
    assert.equal(use.service_account_id, ig.instance_template.service_account_id);
    assert.match(use.member, /^serviceAccount:\$\{yandex_iam_service_account\./);
    assert.equal(ig.depends_on.length, 3, "the group waits for its three grants");
    assert.match(ig.instance_template.service_account_id, /terraform_remote_state\.cross-stack-reference-input-db/, "instances run as the secrets reader");
  });

  it("secrets: Lockbox generates the database password and the cluster's secret, never in user-data", () => {
    const secrets = Object.fromEntries(resources(stacks.db, "yandex_lockbox_secret").map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(secrets).sort(), ["bingo-db-secrets", "bingo-secrets"]);
    const spec = (key: string) => ({ password_key: key, length: 32, include_uppercase: true, include_lowercase: true, include_digits: true, include_punctuation: false });
    assert.deepEqual(secrets["bingo-secrets"].password_payload_specification, spec("db_password"));
    assert.deepEqual(secrets["bingo-db-secrets"].password_payload_specification, spec("cluster_secret"));
    assert.deepEqual(resources(stacks.db, "yandex_lockbox_secret_version"), [], "no version with a value written by us");
    // Nobody gets a folder-wide role from the db stack.
    assert.deepEqual(resources(stacks.db, "yandex_resourcemanager_folder_iam_member"), []);
    const [vm] = resources(stacks.db, "yandex_compute_instance");
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    for (const ud of [userData(vm.metadata), userData(ig.instance_template.metadata)]) {
      assert.match(ud, /bingo-fetch-secrets \$\{[^}]*lockbox[^}]*\} \/etc\/bingo\/secrets\.json bingo_db_password=db_password/);
      assert.match(ud, /-e @\/etc\/bingo\/secrets\.json/);
    }
  });

  it("secrets: the DB VMs read both secrets as bingo-db-vm; the app instances, as bingo-vm, the password only", () => {
    const accounts = Object.fromEntries(
      Object.entries(stacks.db.resource.yandex_iam_service_account as Record<string, Json>).map(([id, a]) => [a.name, `\${yandex_iam_service_account.${id}.id}`]),
    );
    assert.deepEqual(Object.keys(accounts).sort(), ["bingo-db-vm", "bingo-vm"]);
    const secretIds = Object.fromEntries(
      Object.entries(stacks.db.resource.yandex_lockbox_secret as Record<string, Json>).map(([id, x]) => [x.name, `\${yandex_lockbox_secret.${id}.id}`]),
    );
    const readers = (secret: string) =>
      resources(stacks.db, "yandex_lockbox_secret_iam_member")
        .filter((g) => g.secret_id === secretIds[secret])
        .map((g) => {
          assert.equal(g.role, "lockbox.payloadViewer");
          return g.member;
        })
        .sort();
    assert.deepEqual(readers("bingo-secrets"), [`serviceAccount:${accounts["bingo-db-vm"]}`, `serviceAccount:${accounts["bingo-vm"]}`].sort());
    assert.deepEqual(readers("bingo-db-secrets"), [`serviceAccount:${accounts["bingo-db-vm"]}`], "the app account cannot read the cluster's secret");
    assert.equal(resources(stacks.db, "yandex_lockbox_secret_iam_member").length, 3, "no other grant");
    for (const vm of resources(stacks.db, "yandex_compute_instance")) {
      assert.equal(vm.service_account_id, accounts["bingo-db-vm"], vm.name);
      const fetch = userData(vm.metadata).split("\n").find((l: string) => l.includes("bingo-fetch-secrets "));
      assert.ok(
        fetch?.includes(
          `bingo-fetch-secrets ${secretIds["bingo-secrets"]} /etc/bingo/secrets.json bingo_db_password=db_password ${secretIds["bingo-db-secrets"]} bingo_db_cluster_secret=cluster_secret || exit 1`,
        ),
        `${vm.name}: ${fetch}`,
      );
    }
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.match(ig.instance_template.service_account_id, /cross-stack-reference-input-db\.outputs\.\S*service_accountSecrets_Reader_/, "the app instances run as bingo-vm");
    const appUd = userData(ig.instance_template.metadata);
    assert.doesNotMatch(appUd, /cluster_secret|ClusterSecrets/, "the app instances never ask for the cluster's secret");
  });

  it("secrets: the controller's run reads the generated password and cluster secret at apply time, into its environment only", () => {
    const entries = stacks.frontend.data.yandex_lockbox_secret_version_entry as Record<string, Json>;
    const byKey = Object.fromEntries(Object.entries(entries).map(([id, e]) => [e.key, { id, ...e }]));
    assert.deepEqual(Object.keys(byKey).sort(), ["cluster_secret", "db_password"]);
    assert.match(byKey.db_password.secret_id, /terraform_remote_state\.cross-stack-reference-input-db\.outputs\.\S*lockbox_secretSecrets_Secret_/);
    assert.match(byKey.cluster_secret.secret_id, /terraform_remote_state\.cross-stack-reference-input-db\.outputs\.\S*lockbox_secretClusterSecrets_Secret_/);
    const [run] = resources(stacks.frontend, "null_resource");
    const exec = run.provisioner[0]["local-exec"];
    assert.equal(exec.environment.BINGO_DB_PASSWORD, `\${nonsensitive(data.yandex_lockbox_secret_version_entry.${byKey.db_password.id}.text_value)}`);
    assert.equal(exec.environment.BINGO_DB_CLUSTER_SECRET, `\${nonsensitive(data.yandex_lockbox_secret_version_entry.${byKey.cluster_secret.id}.text_value)}`);
    // Not in the inventory: the script hands them to Ansible as extra vars.
    assert.ok(!/bingo_db_password|bingo_db_cluster_secret/.test(run.triggers.inventory_sha256));
  });

  it("frontend: a public VM and an Ansible run that re-runs on inventory or playbook changes", () => {
    const [vm] = resources(stacks.frontend, "yandex_compute_instance");
    assert.equal(vm.network_interface[0].nat, true);
    const [run] = resources(stacks.frontend, "null_resource");
    assert.match(run.triggers.inventory_sha256, /^\$\{sha256\(/);
    assert.match(run.triggers.playbooks_sha256, /^[0-9a-f]{64}$/);
    assert.match(run.triggers.script_sha256, /^[0-9a-f]{64}$/);
    const exec = run.provisioner[0]["local-exec"];
    assert.match(exec.command, /exec "\$CONTROLLER_RUN" "\$INVENTORY_PATH"/);
    assert.match(exec.environment.CONTROLLER_RUN, /\/scripts\/controller-run\.sh$/);
    assert.equal(exec.environment.BINGO_PLAYBOOKS, "site.yml");
    assert.match(exec.environment.INVENTORY_PATH, /ansible\/inventories\/cloud\/hosts\.yml$/);
    assert.deepEqual(stacks.frontend.terraform.required_providers.null.version, "3.2.4");
  });

  it("frontend: the inventory follows the app nodes by name and reaches db/app through the jump host", () => {
    const [run] = resources(stacks.frontend, "null_resource");
    const inv: string = run.triggers.inventory_sha256;
    assert.match(inv, /bingo-app-1\.ru-central1\.internal/);
    assert.match(inv, /bingo-app-2\.ru-central1\.internal/);
    assert.match(inv, /ProxyCommand='ssh -i .* -W %h:%p ansible@\$\{yandex_compute_instance\./);
    // The DB VMs by their member names, at their VMs' private addresses.
    for (const n of [1, 2, 3]) {
      const address = `\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-db\\.outputs\\.\\S*Database${n}_Instance_\\w+network_interface0ip_address\\}`;
      assert.match(inv, new RegExp(`db${n}:\\\\n\\s+ansible_host: ${address}\\\\n\\s+private_address: ${address}\\\\n`));
    }
    assert.doesNotMatch(inv, /bingo-db/);
  });

  it("frontend: host keys are kept per instance id, so a re-created instance is a new host", () => {
    const [run] = resources(stacks.frontend, "null_resource");
    const inv: string = run.triggers.inventory_sha256;
    assert.ok(!/StrictHostKeyChecking=no|cloud_known_hosts/.test(inv));
    assert.match(inv, /UserKnownHostsFile=\S*\/known_hosts\.d\/\$\{yandex_compute_instance\.Frontend1_[^}]*\.id\}/);
    assert.match(inv, /UserKnownHostsFile=\S*\/known_hosts\.d\/\$\{yandex_compute_instance\.Frontend2_[^}]*\.id\}/);
    for (const n of [1, 2, 3]) {
      assert.match(inv, new RegExp(`UserKnownHostsFile=\\S*/known_hosts\\.d/\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-db\\.outputs\\.[^}]*Database${n}_[^}]*id\\}`));
    }
    // App instances: their ids from the group's live instances, by FQDN.
    for (const n of [1, 2]) {
      assert.ok(
        inv.includes(`known_hosts.d/\${lookup({ for key, val in toset(data.terraform_remote_state.cross-stack-reference-input-app.outputs.`) &&
          inv.includes(`val.fqdn => val.instance_id }, "bingo-app-${n}.ru-central1.internal", "new")}`),
        `bingo-app-${n}`,
      );
    }
    assert.match(inv, /StrictHostKeyChecking=accept-new/);
    const exec = run.provisioner[0]["local-exec"];
    assert.match(exec.environment.BINGO_KNOWN_HOSTS_DIR, /\.local\/ssh\/known_hosts\.d$/);
  });

  it("the Ansible run writes a private inventory, runs the playbooks and stops with the right app.port when bingo listens elsewhere", () => {
    const [run] = resources(stacks.frontend, "null_resource");
    const exec = run.provisioner[0]["local-exec"];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-ansible-run-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // Stand-ins for the Ansible commands: the app nodes report the port the binary chose.
    fs.writeFileSync(
      path.join(bin, "ansible"),
      '#!/bin/sh\ncase "$*" in *bingo.fact*) printf \'%s | CHANGED | rc=0 | (stdout) {"port": %s}\\n\' bingo-app-1 "$FAKE_PORT" bingo-app-2 "$FAKE_PORT";; esac\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, "ansible-playbook"), '#!/bin/sh\necho "playbook $*" >>"$LOG"\n', { mode: 0o755 });
    const runWith = (port: string) =>
      spawnSync(exec.interpreter[0], [...exec.interpreter.slice(1), exec.command], {
        encoding: "utf8",
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          LOG: path.join(dir, "log"),
          FAKE_PORT: port,
          INVENTORY_B64: Buffer.from("all: {}\n").toString("base64"),
          INVENTORY_PATH: path.join(dir, "inv", "hosts.yml"),
          // The run's own environment but what Terraform fills in at apply time.
          ...Object.fromEntries(Object.entries(exec.environment as Record<string, string>).filter(([k, v]) => !k.startsWith("INVENTORY_") && !v.includes("${"))),
        },
      });
    assert.equal(exec.environment.EXPECTED_APP_PORT, "8765");
    const good = runWith("8765");
    assert.equal(good.status, 0, good.stderr);
    assert.match(fs.readFileSync(path.join(dir, "log"), "utf8"), /playbook -i .*\/inv\/hosts\.yml site\.yml/);
    assert.equal(fs.statSync(path.join(dir, "inv", "hosts.yml")).mode & 0o077, 0, "inventory readable by its owner only");
    const bad = runWith("4922");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /bingo listens on port 4922 .* app\.port in the settings is 8765/);
    assert.match(bad.stderr, /set app\.port: 4922 in settings\.yaml/);
  });

  it("every stack pins the provider version the schema follows", () => {
    for (const s of Object.values(stacks)) {
      assert.equal(s.terraform.required_providers.yandex.version, "0.222.0");
      assert.equal(s.terraform.required_providers.yandex.source, "yandex-cloud/yandex");
    }
  });
});

describe("the load balancer setting", () => {
  it("puts an internal network load balancer in front of the group and points the frontend at it", () => {
    ensureBindings();
    const { stacks } = synthAll(fixtureSettings({ app: { port: 8765, load_balancer: true } }));
    const [lb] = resources(stacks.app, "yandex_lb_network_load_balancer");
    assert.equal(lb.type, "internal");
    // A listener per process, the health check on the first.
    assert.deepEqual(lb.listener.map((l: Json) => `${l.name} ${l.port}->${l.target_port}`), ["bingo 8765->8765", "bingo-2 8766->8766"]);
    assert.equal(lb.attached_target_group[0].healthcheck[0].http_options.port, 8765);
    assert.equal(lb.attached_target_group[0].healthcheck[0].http_options.path, "/ping");
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.ok(ig.load_balancer.target_group_name);
    const roles = resources(stacks.app, "yandex_resourcemanager_folder_iam_member").map((m) => m.role);
    assert.ok(roles.includes("load-balancer.editor"));
    const [run] = resources(stacks.frontend, "null_resource");
    assert.match(run.triggers.inventory_sha256, /internal_address_spec/);
  });
});

describe("construct validation", () => {
  it("a bad prop fails synth with a message that says what to change", () => {
    ensureBindings();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Vm } = require("../../constructs/vm") as typeof import("../../constructs/vm");
    const stack = new TerraformStack(new App(), "t");
    assert.throws(
      () =>
        new Vm(stack, "Bad", {
          name: "Bad_Name",
          zone: "ru-central1-a",
          subnetId: "s",
          securityGroupIds: ["g"],
          imageId: "i",
          size: { cores: 2, memoryGb: 2, diskGb: 20 },
          sshUser: "ansible",
          sshPublicKey: "ssh-ed25519 AAAA",
        }),
      /Vm: name "Bad_Name" is not a valid resource name; use 3-52 lowercase letters/,
    );
  });

  it("the network cuts its private range for distinct zones, the app nodes' zone first", () => {
    ensureBindings();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Network } = require("../../constructs/network") as typeof import("../../constructs/network");
    const network = (privateZones: string[]) => () => new Network(new TerraformStack(new App(), "t"), "N", { name: "bingo", zone: "ru-central1-a", privateZones });
    assert.throws(network(["ru-central1-b", "ru-central1-a"]), /Network: privateZones must start with zone ru-central1-a \(the app nodes' subnet\)/);
    assert.throws(network(["ru-central1-a", "ru-central1-a"]), /Network: privateZones must list distinct zones/);
    const n = network(["ru-central1-a", "ru-central1-b", "ru-central1-d"])();
    assert.deepEqual(n.privateSubnets.map((x) => [x.zone, x.cidr]), [
      ["ru-central1-a", "10.10.2.0/26"],
      ["ru-central1-b", "10.10.2.64/26"],
      ["ru-central1-d", "10.10.2.128/26"],
    ]);
    assert.equal(n.privateSubnetId, n.privateSubnets[0].id);
  });
});
