import { Construct } from "constructs";
import { LbNetworkLoadBalancer } from "../.gen/providers/yandex/lb-network-load-balancer";
import { LbTargetGroup } from "../.gen/providers/yandex/lb-target-group";
import { assertHttpPath, assertName, assertPort } from "./validate";

export interface BalancerTarget {
  readonly subnetId: string;
  readonly address: string;
}

/** The health check: HTTP GET of path on port, every intervalS; the defaults notice a drained frontend in about 4 s. */
export interface BalancerHealthCheck {
  readonly port: number;
  readonly path: string;
  /** @default 2 */
  readonly intervalS?: number;
  /** @default 1 */
  readonly timeoutS?: number;
  /** @default 2 */
  readonly unhealthyThreshold?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
}

export interface FrontendBalancerProps {
  readonly name: string;
  /** The frontends' private addresses and subnets. */
  readonly targets: readonly BalancerTarget[];
  /** The reserved public address the listeners take. */
  readonly publicAddress: string;
  readonly healthCheck: BalancerHealthCheck;
}

/** What the balancer passes on: HTTP, HTTPS and HTTP/3 (QUIC over UDP). */
export const FRONTEND_LISTENERS = [
  { name: "http", port: 80, protocol: "tcp" },
  { name: "https", port: 443, protocol: "tcp" },
  { name: "http3", port: 443, protocol: "udp" },
] as const;

/**
 * An external network load balancer in front of the frontends. It passes packets
 * through (the frontends see the client's address) and sends new connections only
 * to frontends whose health check passes, so a frontend that reports itself
 * draining stops getting new connections while it finishes the ones it has.
 */
export class FrontendBalancer extends Construct {
  readonly targetGroupId: string;
  readonly balancerId: string;

  constructor(scope: Construct, id: string, props: FrontendBalancerProps) {
    super(scope, id);
    assertName("FrontendBalancer", "name", props.name);
    assertPort("FrontendBalancer", "healthCheck.port", props.healthCheck.port);
    if (props.targets.length === 0) throw new Error("FrontendBalancer: targets is empty; give it the frontends' addresses");
    assertHttpPath("FrontendBalancer", "healthCheck.path", props.healthCheck.path);
    const hc = props.healthCheck;
    const group = new LbTargetGroup(this, "Frontends", {
      name: `${props.name}-tg`,
      description: "the frontends (nginx)",
      target: props.targets.map((t) => ({ subnetId: t.subnetId, address: t.address })),
    });
    const lb = new LbNetworkLoadBalancer(this, "Balancer", {
      name: props.name,
      description: "the service's public address: HTTP, HTTPS and HTTP/3 to the healthy frontends",
      listener: FRONTEND_LISTENERS.map((l) => ({
        name: l.name,
        port: l.port,
        protocol: l.protocol,
        externalAddressSpec: { address: props.publicAddress, ipVersion: "ipv4" },
      })),
      attachedTargetGroup: [
        {
          targetGroupId: group.id,
          healthcheck: [
            {
              name: "nginx",
              interval: hc.intervalS ?? 2,
              timeout: hc.timeoutS ?? 1,
              unhealthyThreshold: hc.unhealthyThreshold ?? 2,
              healthyThreshold: hc.healthyThreshold ?? 2,
              httpOptions: { port: hc.port, path: hc.path },
            },
          ],
        },
      ],
    });
    this.targetGroupId = group.id;
    this.balancerId = lb.id;
  }
}
