import { Construct } from "constructs";
import { Vm } from "../constructs/vm";
import { Settings } from "../settings";
import { YandexStack } from "./base";
import { NetworkStack } from "./network";
import { dbSelfConfiguration } from "./tiers";

/** The database VM (PostgreSQL + pgbouncer); it configures itself from its user-data. */
export class DbStack extends YandexStack {
  readonly vm: Vm;

  constructor(scope: Construct, id: string, settings: Settings, net: NetworkStack) {
    super(scope, id, settings);
    this.vm = new Vm(this, "Database", {
      name: "bingo-db",
      zone: settings.zone,
      subnetId: net.network.privateSubnetId,
      securityGroupIds: [net.securityGroups.dbId],
      imageId: this.image().id,
      size: settings.sizes.db,
      platformId: settings.platformId,
      preemptible: settings.preemptible,
      sshUser: settings.ssh.user,
      sshPublicKey: settings.ssh.publicKey,
      selfConfigure: dbSelfConfiguration(settings),
    });
  }
}
