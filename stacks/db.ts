import { Construct } from "constructs";
import { Vm } from "../constructs/vm";
import { VmSecrets } from "../constructs/vm-secrets";
import { Settings } from "../settings";
import { YandexStack } from "./base";
import { NetworkStack } from "./network";
import { DB_CLUSTER_SECRET_KEY, DB_PASSWORD_KEY, dbMembers, dbSelfConfiguration } from "./tiers";

/**
 * The database cluster: a VM per cloud.db_zones (bingo-db-1, -2, ...; an etcd member and
 * PostgreSQL under Patroni each), each at its fixed private address, configuring itself
 * from its user-data. Also the secrets of every self-configuring VM: the database
 * password (bingo-secrets: the app and DB VMs read it) and the cluster's own secret
 * (bingo-db-secrets: the DB VMs' account only).
 */
export class DbStack extends YandexStack {
  /** The DB VMs, in the order of cloud.db_zones (inventory hosts db1, db2, ...). */
  readonly vms: readonly Vm[];
  /** The database password and the app VMs' account (bingo-vm), which may read nothing else. */
  readonly secrets: VmSecrets;
  /** The cluster's secret and the DB VMs' account (bingo-db-vm), which also reads the database password. */
  readonly clusterSecrets: VmSecrets;

  constructor(scope: Construct, id: string, settings: Settings, net: NetworkStack) {
    super(scope, id, settings);
    this.clusterSecrets = new VmSecrets(this, "ClusterSecrets", {
      name: "bingo-db",
      folderId: settings.folderId,
      passwordKey: DB_CLUSTER_SECRET_KEY,
      description: "The database cluster's secret (its replication, superuser and REST API passwords derive from it): the DB VMs only",
    });
    this.secrets = new VmSecrets(this, "Secrets", {
      name: "bingo",
      folderId: settings.folderId,
      passwordKey: DB_PASSWORD_KEY,
      otherReaders: [this.clusterSecrets.readerServiceAccountId],
    });
    const secretIds = { password: this.secrets.secretId, cluster: this.clusterSecrets.secretId };
    this.vms = dbMembers(settings).map((member, i) => {
      const subnet = net.network.privateSubnets.find((s) => s.zone === member.zone);
      if (!subnet) throw new Error(`DbStack: the network has no private subnet in ${member.zone} for ${member.name}; privateZones must include every db zone`);
      return new Vm(this, `Database${i + 1}`, {
        name: `bingo-db-${i + 1}`,
        zone: subnet.zone,
        ...this.machine(settings.sizes.db),
        subnetId: subnet.id,
        securityGroupIds: [net.securityGroups.dbId],
        // Fixed: the members find each other (etcd, Patroni) by these before they exist.
        privateAddress: member.address,
        serviceAccountId: this.clusterSecrets.readerServiceAccountId,
        selfConfigure: dbSelfConfiguration(settings, i, secretIds),
      });
    });
  }
}
