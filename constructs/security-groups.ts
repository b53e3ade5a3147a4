import { Construct } from "constructs";
import { VpcSecurityGroup, VpcSecurityGroupEgress, VpcSecurityGroupIngress } from "../.gen/providers/yandex/vpc-security-group";
import { assertCidr, assertName, assertPort } from "./validate";

export interface SecurityGroupsProps {
  readonly name: string;
  readonly networkId: string;
  /** The host ports of the bingo processes on the app nodes, consecutive (one process: one port). */
  readonly appPorts: readonly number[];
  /** Sources allowed to SSH to the frontend (the jump host); required, no default. */
  readonly sshAllowedCidrs: readonly string[];
  /** CIDRs of the VPC: where outbound traffic to other VMs may go (their ingress rules decide). */
  readonly vpcCidrs: readonly string[];
  /** Ports the frontend's Prometheus scrapes on the app and DB nodes (opened to the frontend only). @default none */
  readonly scrapedPorts?: { readonly app?: readonly number[]; readonly db?: readonly number[] };
  /** pgbouncer on the DB nodes: the app nodes' only way to the database. @default 6432 */
  readonly pgbouncerPort?: number;
  /**
   * The database cluster's own ports: PostgreSQL (replication, pg_rewind) and etcd's client
   * and peer ports between the DB nodes only; Patroni's REST API from the other DB nodes
   * and from the app nodes (their HAProxy asks it which node is the primary).
   * @default none: no DB node reaches another
   */
  readonly dbCluster?: DbClusterPorts;
  /** The frontends' Alertmanagers: the API (each Prometheus sends to every one) and the cluster gossip (tcp and udp), between the frontends only. @default none */
  readonly alertmanager?: AlertmanagerPorts;
}

export interface DbClusterPorts {
  readonly postgresqlPort: number;
  readonly patroniRestPort: number;
  readonly etcdClientPort: number;
  readonly etcdPeerPort: number;
}

export interface AlertmanagerPorts {
  readonly port: number;
  readonly clusterPort: number;
}

const INTERNET = ["0.0.0.0/0"];

/**
 * Least-privilege groups for the three tiers:
 * - frontend: 80/tcp, 443/tcp, 443/udp (HTTP/3) from anywhere; SSH from sshAllowedCidrs;
 *   Alertmanager's API and gossip from the other frontends only;
 * - app: the bingo processes' ports only from the frontend and the health-check nodes; SSH only from the frontend;
 * - db: pgbouncer and Patroni's REST API only from the app nodes; PostgreSQL, etcd and Patroni's
 *   REST API from the other DB nodes only; SSH only from the frontend;
 * - app and db: the exporters' ports (scrapedPorts) only from the frontend, where Prometheus runs.
 * Outbound: HTTP(S) and NTP to the internet (packages, the binary), anything inside the VPC.
 */
export class SecurityGroups extends Construct {
  readonly frontendId: string;
  readonly appId: string;
  readonly dbId: string;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    assertName("SecurityGroups", "name", props.name);
    if (props.appPorts.length === 0) throw new Error("SecurityGroups: appPorts is empty; list the bingo processes' host ports, e.g. [8080, 8081]");
    props.appPorts.forEach((p) => assertPort("SecurityGroups", "appPorts", p));
    if (props.appPorts.some((p, i) => p !== props.appPorts[0] + i)) {
      throw new Error(`SecurityGroups: appPorts ${props.appPorts.join(", ")} are not consecutive; the processes take port, port + 1, ...`);
    }
    // One rule for the whole range (a single port when there is one process).
    const [firstAppPort, lastAppPort] = [props.appPorts[0], props.appPorts[props.appPorts.length - 1]];
    const appPorts = firstAppPort === lastAppPort ? { port: firstAppPort } : { fromPort: firstAppPort, toPort: lastAppPort };
    const sshFrom = props.sshAllowedCidrs;
    if (sshFrom.length === 0) throw new Error("SecurityGroups: sshAllowedCidrs is empty; list who may SSH to the frontend, e.g. [\"203.0.113.0/24\"]");
    sshFrom.forEach((c) => assertCidr("SecurityGroups", "sshAllowedCidrs", c));
    props.vpcCidrs.forEach((c) => assertCidr("SecurityGroups", "vpcCidrs", c));
    for (const [tier, ports] of Object.entries(props.scrapedPorts ?? {})) {
      ports?.forEach((p) => assertPort("SecurityGroups", `scrapedPorts.${tier}`, p));
    }
    const pgbouncerPort = props.pgbouncerPort ?? 6432;
    assertPort("SecurityGroups", "pgbouncerPort", pgbouncerPort);
    for (const [prop, ports] of Object.entries({ dbCluster: props.dbCluster, alertmanager: props.alertmanager })) {
      for (const [name, port] of Object.entries(ports ?? {}) as [string, number][]) assertPort("SecurityGroups", `${prop}.${name}`, port);
    }
    // A rule whose source is the group itself: its other members.
    const fromPeers = (protocol: string, port: number, description: string): VpcSecurityGroupIngress => ({
      protocol,
      port,
      predefinedTarget: "self_security_group",
      description,
    });

    const egress: VpcSecurityGroupEgress[] = [
      { protocol: "TCP", port: 80, v4CidrBlocks: INTERNET, description: "HTTP out (packages)" },
      { protocol: "TCP", port: 443, v4CidrBlocks: INTERNET, description: "HTTPS out (packages, the binary)" },
      { protocol: "UDP", port: 123, v4CidrBlocks: INTERNET, description: "NTP" },
      { protocol: "ANY", v4CidrBlocks: [...props.vpcCidrs], description: "inside the VPC (DNS, metadata, peers' ingress rules decide)" },
      { protocol: "ANY", v4CidrBlocks: ["169.254.169.254/32"], description: "metadata service" },
    ];
    const frontend = new VpcSecurityGroup(this, "Frontend", {
      name: `${props.name}-frontend`,
      description: "Public entry point and SSH jump host",
      networkId: props.networkId,
      ingress: [
        { protocol: "TCP", port: 80, v4CidrBlocks: INTERNET, description: "HTTP" },
        { protocol: "TCP", port: 443, v4CidrBlocks: INTERNET, description: "HTTPS" },
        { protocol: "UDP", port: 443, v4CidrBlocks: INTERNET, description: "HTTP/3 (QUIC)" },
        { protocol: "TCP", port: 22, v4CidrBlocks: [...sshFrom], description: "SSH (jump host)" },
        ...(props.alertmanager
          ? [
              fromPeers("TCP", props.alertmanager.port, "Alertmanager's API from the other frontends' Prometheus"),
              fromPeers("TCP", props.alertmanager.clusterPort, "Alertmanager cluster gossip (tcp) between the frontends"),
              fromPeers("UDP", props.alertmanager.clusterPort, "Alertmanager cluster gossip (udp) between the frontends"),
            ]
          : []),
      ],
      egress,
    });
    const sshFromFrontend: VpcSecurityGroupIngress = {
      protocol: "TCP",
      port: 22,
      securityGroupId: frontend.id,
      description: "SSH only through the frontend",
    };
    const scrapedByFrontend = (ports: readonly number[] = []): VpcSecurityGroupIngress[] =>
      ports.map((port) => ({ protocol: "TCP", port, securityGroupId: frontend.id, description: `metrics (${port}) for Prometheus on the frontend` }));
    const app = new VpcSecurityGroup(this, "App", {
      name: `${props.name}-app`,
      description: "bingo nodes",
      networkId: props.networkId,
      ingress: [
        { protocol: "TCP", ...appPorts, securityGroupId: frontend.id, description: "bingo from the frontend" },
        {
          protocol: "TCP",
          ...appPorts,
          predefinedTarget: "loadbalancer_healthchecks",
          description: "health checks of the instance group and the load balancer",
        },
        sshFromFrontend,
        ...scrapedByFrontend(props.scrapedPorts?.app),
      ],
      egress,
    });
    // An internal load balancer keeps the client's address, so frontend traffic
    // through it still matches "from the frontend" above.
    const cluster = props.dbCluster;
    const db = new VpcSecurityGroup(this, "Db", {
      name: `${props.name}-db`,
      description: "The database cluster: PostgreSQL under Patroni, etcd, pgbouncer",
      networkId: props.networkId,
      ingress: [
        { protocol: "TCP", port: pgbouncerPort, securityGroupId: app.id, description: "pgbouncer from the app nodes" },
        ...(cluster
          ? [
              { protocol: "TCP", port: cluster.patroniRestPort, securityGroupId: app.id, description: "Patroni's REST API from the app nodes (HAProxy's primary check)" },
              fromPeers("TCP", cluster.postgresqlPort, "PostgreSQL between the DB nodes (replication, pg_rewind)"),
              fromPeers("TCP", cluster.patroniRestPort, "Patroni's REST API between the DB nodes"),
              fromPeers("TCP", cluster.etcdClientPort, "etcd clients between the DB nodes"),
              fromPeers("TCP", cluster.etcdPeerPort, "etcd peers between the DB nodes"),
            ]
          : []),
        sshFromFrontend,
        ...scrapedByFrontend(props.scrapedPorts?.db),
      ],
      egress,
    });
    this.frontendId = frontend.id;
    this.appId = app.id;
    this.dbId = db.id;
  }
}
