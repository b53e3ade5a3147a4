import { Construct } from "constructs";
import { VpcAddress } from "../.gen/providers/yandex/vpc-address";
import { VpcGateway } from "../.gen/providers/yandex/vpc-gateway";
import { VpcNetwork } from "../.gen/providers/yandex/vpc-network";
import { VpcRouteTable } from "../.gen/providers/yandex/vpc-route-table";
import { VpcSubnet } from "../.gen/providers/yandex/vpc-subnet";
import { assertCidr, assertName } from "./validate";

export interface NetworkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  /** Availability zone of both subnets. */
  readonly zone: string;
  /** Subnet of the VMs with a public address (the frontend). @default "10.10.1.0/24" */
  readonly publicCidr?: string;
  /** Subnet of the VMs without one (DB, app nodes); its outbound traffic leaves through the NAT gateway. @default "10.10.2.0/24" */
  readonly privateCidr?: string;
}

/**
 * A VPC with a public and a private subnet in one zone, a NAT gateway for the
 * private one, and the frontend's reserved public address.
 */
export class Network extends Construct {
  readonly networkId: string;
  readonly publicSubnetId: string;
  readonly privateSubnetId: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
  readonly zone: string;
  /**
   * A reserved public address for the frontend: it outlives a re-created frontend VM,
   * so the domain's A record and its certificate stay valid.
   */
  readonly frontendPublicAddress: string;

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
    const pub = new VpcSubnet(this, "PublicSubnet", {
      name: `${props.name}-public`,
      networkId: vpc.id,
      zone: props.zone,
      v4CidrBlocks: [this.publicCidr],
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
      description: "The frontend's public address (the domain's A record points here)",
      externalIpv4Address: { zoneId: props.zone },
    });
    this.frontendPublicAddress = address.externalIpv4Address.address;
    this.networkId = vpc.id;
    this.publicSubnetId = pub.id;
    this.privateSubnetId = priv.id;
  }
}
