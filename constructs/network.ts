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
  /** Availability zone of the private subnet. */
  readonly zone: string;
  /** Zones of the public subnets, one each (a frontend per zone). @default [zone] */
  readonly publicZones?: readonly string[];
  /** Range of the public subnets (the frontends), cut evenly into one per public zone. @default "10.10.1.0/24" */
  readonly publicCidr?: string;
  /** Subnet of the VMs without one (DB, app nodes); its outbound traffic leaves through the NAT gateway. @default "10.10.2.0/24" */
  readonly privateCidr?: string;
}

/**
 * A VPC with a public subnet per frontend zone and a private subnet, a NAT gateway
 * for the private one, and the service's reserved public address.
 */
export class Network extends Construct {
  readonly networkId: string;
  /** The public subnets, in the order of publicZones. */
  readonly publicSubnets: readonly { readonly id: string; readonly zone: string; readonly cidr: string }[];
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
    const zones = props.publicZones ?? [props.zone];
    if (zones.length === 0 || new Set(zones).size !== zones.length) {
      throw new Error(`Network: publicZones must list distinct zones, got ${JSON.stringify(zones)}`);
    }
    const cidrs = splitCidr(this.publicCidr, zones.length);
    this.publicSubnets = zones.map((zone, i) => {
      const subnet = new VpcSubnet(this, i === 0 ? "PublicSubnet" : `PublicSubnet${i + 1}`, {
        name: i === 0 ? `${props.name}-public` : `${props.name}-public-${i + 1}`,
        networkId: vpc.id,
        zone,
        v4CidrBlocks: [cidrs[i]],
      });
      return { id: subnet.id, zone, cidr: cidrs[i] };
    });
    const priv = new VpcSubnet(this, "PrivateSubnet", {
      name: `${props.name}-private`,
      networkId: vpc.id,
      zone: props.zone,
      v4CidrBlocks: [this.privateCidr],
      routeTableId: egress.id,
    });
    const address = new VpcAddress(this, "FrontendAddress", {
      name: `${props.name}-frontend`,
      description: "The service's public address, on the frontends' load balancer (the domain's A record points here)",
      externalIpv4Address: { zoneId: props.zone },
    });
    this.servicePublicAddress = address.externalIpv4Address.address;
    this.networkId = vpc.id;
    this.privateSubnetId = priv.id;
  }
}
