import * as path from "node:path";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Fn, TerraformOutput, Token } from "cdktf";
import { Construct } from "constructs";
import { DataYandexLockboxSecretVersionEntry } from "../.gen/providers/yandex/data-yandex-lockbox-secret-version-entry";
import { AnsibleRun } from "../constructs/ansible-run";
import { FrontendBalancer } from "../constructs/frontend-balancer";
import { Vm } from "../constructs/vm";
import { inventoryYaml, type InventoryHost } from "../inventory/ansible-inventory";
import { Settings } from "../settings";
import { AppStack } from "./app";
import { YandexStack } from "./base";
import { DbStack } from "./db";
import { NetworkStack } from "./network";
import { DB_CLUSTER_SECRET_KEY, DB_PASSWORD_KEY, dbMembers, frontendPrivateAddresses, installationVars } from "./tiers";

/** The environment variable the controller's run gets the database password in (scripts/controller-run.sh). */
export const DB_PASSWORD_ENV = "BINGO_DB_PASSWORD";

/** The environment variable the controller's run gets the database cluster's secret in (scripts/controller-run.sh). */
export const DB_CLUSTER_SECRET_ENV = "BINGO_DB_CLUSTER_SECRET";

export interface FrontendStackProps {
  readonly net: NetworkStack;
  readonly db: DbStack;
  readonly app: AppStack;
  /** Repository root: the ansible/ folder and where the cloud inventory is written. */
  readonly root: string;
}

/** The balancer's health check of the frontends (nginx answers 503 while it drains). */
export const FRONTEND_HEALTH = { port: 80, path: "/healthz", intervalS: 2, timeoutS: 1, unhealthyThreshold: 2, healthyThreshold: 2 } as const;

/**
 * The nginx frontends, one per frontend zone behind the network load balancer that
 * holds the service's public address (the first frontend is also the SSH jump host),
 * and the Ansible run that configures the whole installation once everything exists.
 */
export class FrontendStack extends YandexStack {
  readonly vms: readonly Vm[];
  readonly inventory: string;

  constructor(scope: Construct, id: string, settings: Settings, props: FrontendStackProps) {
    super(scope, id, settings);
    new NullProvider(this, "Null");
    const { net, db, app } = props;
    const privateAddresses = frontendPrivateAddresses(settings);
    this.vms = net.network.publicSubnets.map(
      (subnet, i) =>
        new Vm(this, `Frontend${i + 1}`, {
          name: `bingo-frontend-${i + 1}`,
          zone: subnet.zone,
          ...this.machine(settings.sizes.frontend),
          subnetId: subnet.id,
          securityGroupIds: [net.securityGroups.frontendId],
          // Its own address: SSH (the jump host) and the packages; the service's address is the balancer's.
          publicIp: true,
          // Fixed: the DB and app nodes allow SSH from these addresses only, before the frontends exist.
          privateAddress: privateAddresses[i],
        }),
    );
    new FrontendBalancer(this, "PublicBalancer", {
      name: "bingo-frontend",
      targets: this.vms.map((vm, i) => ({ subnetId: net.network.publicSubnets[i].id, address: vm.privateAddress })),
      publicAddress: net.network.servicePublicAddress,
      healthCheck: FRONTEND_HEALTH,
    });
    const jumpHost = this.vms[0];

    const key = settings.ssh.privateKeyFile;
    // Host keys are kept per instance id: a re-created instance (new id) starts with an
    // empty file and its new key is accepted; a changed key of a live instance (same
    // id) is refused. controller-run.sh forgets the files of instances that are gone.
    const knownHostsDir = path.join(props.root, ".local", "ssh", "known_hosts.d");
    const baseOpts = "-o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=10";
    const optsFor = (instanceId: string) => `${baseOpts} -o UserKnownHostsFile=${knownHostsDir}/${instanceId}`;
    // DB and app instances: their own known hosts, through the jump host.
    const viaFrontend = (instanceId: string) => ({ sshArgs: optsFor(instanceId), viaJumpHost: true });
    // An app instance's id from the group's live instances ("new" until it exists).
    const appInstanceId = (fqdn: string) => Token.asString(Fn.lookup(app.group.instanceIdsByFqdn, fqdn, "new"));
    const upstreams = app.group.loadBalancerAddress ? [app.group.loadBalancerAddress] : [...app.group.hostNames];
    // The password and the cluster's secret Lockbox generated, read at apply time into
    // the run's environment (scripts/controller-run.sh hands them to Ansible as extra
    // vars, which outrank the playbooks' group_vars): they are in the state (owner-only)
    // but in no synthesized file and no inventory, and the controller's run uses the
    // very values the self-configuring VMs read from Lockbox.
    const dbPassword = new DataYandexLockboxSecretVersionEntry(this, "DbPassword", { secretId: db.secrets.secretId, key: DB_PASSWORD_KEY });
    const dbClusterSecret = new DataYandexLockboxSecretVersionEntry(this, "DbClusterSecret", {
      secretId: db.clusterSecrets.secretId,
      key: DB_CLUSTER_SECRET_KEY,
    });
    // The DB VMs as the cluster knows them: inventory names db1, db2, ... (Patroni's and etcd's member names).
    const members = dbMembers(settings);
    const dbHosts = Object.fromEntries(
      db.vms.map((vm, i): [string, InventoryHost] => [members[i].name, { address: vm.privateAddress, privateAddress: vm.privateAddress, ...viaFrontend(vm.instanceId) }]),
    );
    const appHosts = Object.fromEntries(
      app.group.hostNames.map((fqdn): [string, InventoryHost] => [
        fqdn.split(".")[0],
        { address: fqdn, privateAddress: fqdn, ...viaFrontend(appInstanceId(fqdn)) },
      ]),
    );
    this.inventory = inventoryYaml({
      vars: {
        ...settings.ansibleVars,
        ansible_user: settings.ssh.user,
        ansible_ssh_private_key_file: key,
        ansible_ssh_common_args: optsFor(jumpHost.instanceId),
        ...installationVars(settings),
        // Where the service answers: the balancer's address (the acceptance suite's default URL).
        bingo_public_url: `http://${net.network.servicePublicAddress}`,
        // The frontend follows the group by stable names (or the internal balancer).
        frontend_upstream_hosts: upstreams,
        // The balancer's health check, which a draining frontend fails, and how long the
        // balancer takes to notice it (the drain waits that long) and to take one back.
        frontend_health_path: FRONTEND_HEALTH.path,
        frontend_drain_detect_s: FRONTEND_HEALTH.intervalS * (FRONTEND_HEALTH.unhealthyThreshold + 1) + FRONTEND_HEALTH.timeoutS,
        frontend_drain_return_s: FRONTEND_HEALTH.intervalS * FRONTEND_HEALTH.healthyThreshold + 1,
      },
      groups: {
        db: dbHosts,
        app: appHosts,
        frontend: Object.fromEntries(
          this.vms.map((vm): [string, InventoryHost] => [vm.name, { address: vm.publicAddress, privateAddress: vm.privateAddress, sshArgs: optsFor(vm.instanceId) }]),
        ),
      },
      // The hop carries the key: the jump host's ProxyCommand runs its own ssh.
      jumpHost: { host: jumpHost.name, user: settings.ssh.user, sshArgs: `-i ${key} ${optsFor(jumpHost.instanceId)}` },
    });

    new AnsibleRun(this, "Configure", {
      inventory: "# Generated by the frontend stack (cdktf); do not edit.\n" + this.inventory,
      inventoryPath: path.join(props.root, "ansible", "inventories", "cloud", "hosts.yml"),
      ansibleDir: path.join(props.root, "ansible"),
      playbooks: ["site.yml"],
      // The security groups and the health check were built for settings.app.port;
      // the binary picks its own port from the email: the script stops with the fix if they differ.
      environment: {
        EXPECTED_APP_PORT: String(settings.app.port),
        BINGO_KNOWN_HOSTS_DIR: knownHostsDir,
        // nonsensitive: a sensitive value here would make Terraform hide all of Ansible's output;
        // provisioner environments are never shown in a plan.
        [DB_PASSWORD_ENV]: Fn.nonsensitive(dbPassword.textValue) as string,
        [DB_CLUSTER_SECRET_ENV]: Fn.nonsensitive(dbClusterSecret.textValue) as string,
      },
    });

    new TerraformOutput(this, "public_address", { value: net.network.servicePublicAddress, description: "The service's public address (the frontends' load balancer)" });
    new TerraformOutput(this, "frontend_addresses", {
      value: this.vms.map((vm) => vm.publicAddress),
      description: "Each frontend's own public address (SSH; the first is the jump host)",
    });
    new TerraformOutput(this, "url", { value: `https://${settings.domain}/`, description: "Point the domain's A record at public_address" });
  }
}
