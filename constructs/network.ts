import { Construct } from "constructs";
import { VpcAddress } from "../.gen/providers/yandex/vpc-address";
import { VpcGateway } from "../.gen/providers/yandex/vpc-gateway";
import { VpcNetwork } from "../.gen/providers/yandex/vpc-network";
import { VpcRouteTable } from "../.gen/providers/yandex/vpc-route-table";
import { VpcSubnet } from "../.gen/providers/yandex/vpc-subnet";
import { assertCidr, assertName, splitCidr } from "./validate";

export interface NetworkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  /** Availability zone of the first private subnet (the app nodes') and of the reserved address. */
  readonly zone: string;
  /** Zones of the public subnets, one each (a frontend per zone). @default [zone] */
  readonly publicZones?: readonly string[];
  /** Range of the public subnets (the frontends), cut evenly into one per public zone. @default "10.10.1.0/24" */
  readonly publicCidr?: string;
  /** Zones of the private subnets, one each, zone first (the DB VMs are spread over them). @default [zone] */
  readonly privateZones?: readonly string[];
  /**
   * Range of the private subnets (the VMs without a public address: DB, app nodes), cut
   * evenly into one per private zone; their outbound traffic leaves through the NAT gateway.
   * @default "10.10.2.0/24"
   */
  readonly privateCidr?: string;
}

/** A subnet of the network: what a VM placed in it needs. */
export interface Subnet {
  readonly id: string;
  readonly zone: string;
  readonly cidr: string;
}

/**
 * A VPC with a public subnet per frontend zone and a private subnet per private zone,
 * a NAT gateway for the private ones, and the service's reserved public address.
 */
export class Network extends Construct {
  readonly networkId: string;
  /** The public subnets, in the order of publicZones. */
  readonly publicSubnets: readonly Subnet[];
  /** The private subnets, in the order of privateZones. */
  readonly privateSubnets: readonly Subnet[];
  /** The first private subnet (zone's): the app nodes'. */
  readonly privateSubnetId: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
  readonly zone: string;
  /**
   * The service's reserved public address (the frontends' load balancer listens on
   * it): it outlives re-created frontends, so the domain's A record and its
   * certificate stay valid.
   */
  readonly servicePublicAddress: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    assertName("Network", "name", props.name);
    this.publicCidr = props.publicCidr ?? "10.10.1.0/24";
    this.privateCidr = props.privateCidr ?? "10.10.2.0/24";
    assertCidr("Network", "publicCidr", this.publicCidr);
    assertCidr("Network", "privateCidr", this.privateCidr);
    if (this.publicCidr === this.privateCidr) {
      throw new Error("Network: publicCidr and privateCidr are the same; give the two subnets different ranges");
    }
    this.zone = props.zone;

    const vpc = new VpcNetwork(this, "Vpc", { name: props.name });
    const nat = new VpcGateway(this, "NatGateway", { name: `${props.name}-nat`, sharedEgressGateway: {} });
    const egress = new VpcRouteTable(this, "PrivateEgress", {
      name: `${props.name}-private-egress`,
      networkId: vpc.id,
      staticRoute: [{ destinationPrefix: "0.0.0.0/0", gatewayId: nat.id }],
    });
    const publicZones = props.publicZones ?? [props.zone];
    const privateZones = props.privateZones ?? [props.zone];
    for (const [prop, zones] of [["publicZones", publicZones], ["privateZones", privateZones]] as const) {
      if (zones.length === 0 || new Set(zones).size !== zones.length) {
        throw new Error(`Network: ${prop} must list distinct zones, got ${JSON.stringify(zones)}`);
      }
    }
    if (privateZones[0] !== props.zone) {
      throw new Error(`Network: privateZones must start with zone ${props.zone} (the app nodes' subnet), got ${JSON.stringify(privateZones)}`);
    }
    // One subnet per zone, each an equal slice of its range; the first keeps the unnumbered name.
    const subnets = (kind: "Public" | "Private", zones: readonly string[], cidr: string, routeTableId?: string): Subnet[] => {
      const cidrs = splitCidr(cidr, zones.length);
      return zones.map((zone, i) => {
        const subnet = new VpcSubnet(this, i === 0 ? `${kind}Subnet` : `${kind}Subnet${i + 1}`, {
          name: `${props.name}-${kind.toLowerCase()}${i === 0 ? "" : `-${i + 1}`}`,
          networkId: vpc.id,
          zone,
          v4CidrBlocks: [cidrs[i]],
          routeTableId,
        });
        return { id: subnet.id, zone, cidr: cidrs[i] };
      });
    };
    this.publicSubnets = subnets("Public", publicZones, this.publicCidr);
    // Every private subnet leaves through the NAT gateway (packages, the binary, Lockbox).
    this.privateSubnets = subnets("Private", privateZones, this.privateCidr, egress.id);
    const address = new VpcAddress(this, "FrontendAddress", {
      name: `${props.name}-frontend`,
      description: "The service's public address, on the frontends' load balancer (the domain's A record points here)",
      externalIpv4Address: { zoneId: props.zone },
    });
    this.servicePublicAddress = address.externalIpv4Address.address;
    this.networkId = vpc.id;
    this.privateSubnetId = this.privateSubnets[0].id;
  }
}
