import { Construct } from "constructs";
import { Vm } from "../constructs/vm";
import { VmSecrets } from "../constructs/vm-secrets";
import { Settings } from "../settings";
import { YandexStack } from "./base";
import { NetworkStack } from "./network";
import { DB_PASSWORD_KEY, dbSelfConfiguration } from "./tiers";

/**
 * The database VM (PostgreSQL + pgbouncer); it configures itself from its user-data.
 * Also the secrets of every self-configuring VM (the database password).
 */
export class DbStack extends YandexStack {
  readonly vm: Vm;
  readonly secrets: VmSecrets;

  constructor(scope: Construct, id: string, settings: Settings, net: NetworkStack) {
    super(scope, id, settings);
    this.secrets = new VmSecrets(this, "Secrets", {
      name: "bingo",
      folderId: settings.folderId,
      passwordKey: DB_PASSWORD_KEY,
    });
    this.vm = new Vm(this, "Database", {
      name: "bingo-db",
      zone: settings.zone,
      ...this.machine(settings.sizes.db),
      subnetId: net.network.privateSubnetId,
      securityGroupIds: [net.securityGroups.dbId],
      serviceAccountId: this.secrets.readerServiceAccountId,
      selfConfigure: dbSelfConfiguration(settings, this.secrets.secretId),
    });
  }
}
