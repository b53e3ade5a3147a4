import { Construct } from "constructs";
import { BingoInstanceGroup } from "../constructs/bingo-instance-group";
import { Settings } from "../settings";
import { YandexStack } from "./base";
import { DbStack } from "./db";
import { NetworkStack } from "./network";
import { appSelfConfiguration, DB_WAIT_SECONDS } from "./tiers";

/** The bingo nodes: an auto-healing instance group whose instances configure themselves. */
export class AppStack extends YandexStack {
  readonly group: BingoInstanceGroup;

  constructor(scope: Construct, id: string, settings: Settings, net: NetworkStack, db: DbStack) {
    super(scope, id, settings);
    this.group = new BingoInstanceGroup(this, "AppNodes", {
      name: "bingo-app",
      folderId: settings.folderId,
      zone: settings.zone,
      ...this.machine(settings.sizes.app),
      networkId: net.network.networkId,
      subnetId: net.network.privateSubnetId,
      securityGroupIds: [net.securityGroups.appId],
      appPort: settings.app.port,
      processes: settings.app.processes,
      instances: settings.app.instances,
      // Health checks count only after the wait for the database and the instance's own set-up.
      startupSeconds: DB_WAIT_SECONDS + 900,
      internalLoadBalancer: settings.app.loadBalancer,
      // bingo-vm: reads the database password, not the cluster's secret.
      serviceAccountId: db.secrets.readerServiceAccountId,
      selfConfigure: appSelfConfiguration(settings, db.secrets.secretId),
    });
  }
}
