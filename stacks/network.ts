import { Construct } from "constructs";
import { Network } from "../constructs/network";
import { SecurityGroups } from "../constructs/security-groups";
import { appPorts, privateZones, Settings } from "../settings";
import { YandexStack } from "./base";
import { installationPorts, scrapedPorts } from "./monitoring-ports";

/** What every other stack stands on: the VPC, its subnets, the NAT gateway and the security groups. */
export class NetworkStack extends YandexStack {
  readonly network: Network;
  readonly securityGroups: SecurityGroups;

  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id, settings);
    this.network = new Network(this, "Network", {
      name: "bingo",
      zone: settings.zone,
      publicZones: settings.frontendZones,
      publicCidr: settings.network.publicCidr,
      // The app nodes' zone first, then every DB zone: a private subnet each.
      privateZones: privateZones(settings),
      privateCidr: settings.network.privateCidr,
    });
    const scraped = scrapedPorts();
    const ports = installationPorts();
    this.securityGroups = new SecurityGroups(this, "SecurityGroups", {
      name: "bingo",
      networkId: this.network.networkId,
      appPorts: appPorts(settings.app),
      sshAllowedCidrs: settings.network.sshAllowedCidrs,
      vpcCidrs: [settings.network.publicCidr, settings.network.privateCidr],
      // What the frontend's Prometheus scrapes, read from the Ansible roles.
      scrapedPorts: { app: scraped.app, db: scraped.db },
      // The cluster's and Alertmanager's ports, read from group_vars/all.yml likewise.
      pgbouncerPort: ports.pgbouncer,
      dbCluster: {
        postgresqlPort: ports.postgresql,
        patroniRestPort: ports.patroniRest,
        etcdClientPort: ports.etcdClient,
        etcdPeerPort: ports.etcdPeer,
      },
      alertmanager: { port: ports.alertmanager, clusterPort: ports.alertmanagerCluster },
    });
  }
}
