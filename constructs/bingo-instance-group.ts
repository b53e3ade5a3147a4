import { Fn, IResolvable, TerraformIterator, TerraformResource, Token } from "cdktf";
import { Construct } from "constructs";
import { ComputeInstanceGroup } from "../.gen/providers/yandex/compute-instance-group";
import { IamServiceAccount } from "../.gen/providers/yandex/iam-service-account";
import { IamServiceAccountIamMember } from "../.gen/providers/yandex/iam-service-account-iam-member";
import { LbNetworkLoadBalancer } from "../.gen/providers/yandex/lb-network-load-balancer";
import { ResourcemanagerFolderIamMember } from "../.gen/providers/yandex/resourcemanager-folder-iam-member";
import { renderUserData, SelfConfiguration } from "./cloud-init";
import { MachineProps } from "./vm";
import { assertHttpPath, assertName, assertPort, assertRange } from "./validate";

export interface BingoInstanceGroupProps extends MachineProps {
  /** Prefix of the group, its instances' names and host names. */
  readonly name: string;
  readonly folderId: string;
  readonly networkId: string;
  /** The port bingo answers /ping on: process 1's, which the health checks ask. */
  readonly appPort: number;
  /**
   * bingo processes per instance, on appPort, appPort + 1, ...: the internal load balancer
   * gets a listener for each. @default 1
   */
  readonly processes?: number;
  /** How the instances configure themselves (the app tier applied in local mode). */
  readonly selfConfigure: SelfConfiguration;
  /** @default 2 */
  readonly instances?: number;
  /** @default false */
  readonly preemptible?: boolean;
  /** Path of the health check. @default "/ping" */
  readonly healthCheckPath?: string;
  /**
   * Seconds a new instance gets to configure itself (packages, Docker, the
   * image, bingo's start-up) before health checks count. @default 900
   */
  readonly startupSeconds?: number;
  /** Put an internal network load balancer in front of the group. @default false */
  readonly internalLoadBalancer?: boolean;
}

/** Folder roles of the group's own account (see the constructor for the documentation). */
export const IG_FOLDER_ROLES = ["compute.editor", "vpc.user"];

/** The region part of the internal DNS names (ru-central1-a -> ru-central1). */
export const regionOf = (zone: string) => zone.replace(/-[a-z]$/, "");

/**
 * The bingo nodes: a fixed-size instance group that heals itself. A failed
 * /ping check re-creates the instance; the new one configures itself from its
 * user-data and comes back under the same host name, which the frontend
 * resolves again on its own.
 */
export class BingoInstanceGroup extends Construct {
  readonly groupId: string;
  /** The group's own account (it manages the instances). */
  readonly groupServiceAccountId: string;
  /** Stable FQDNs of the instances: <name>-1.<region>.internal ... */
  readonly hostNames: readonly string[];
  /** The internal load balancer's address; undefined without internalLoadBalancer. */
  readonly loadBalancerAddress?: string;
  /** The live instances' ids by FQDN (a re-created instance has a new id). */
  readonly instanceIdsByFqdn: IResolvable;

  constructor(scope: Construct, id: string, props: BingoInstanceGroupProps) {
    super(scope, id);
    assertName("BingoInstanceGroup", "name", props.name);
    assertPort("BingoInstanceGroup", "appPort", props.appPort);
    // The group's health check takes ports 1-32767 only (compute/api-ref/InstanceGroup/create).
    assertRange("BingoInstanceGroup", "appPort (the /ping health check's port)", props.appPort, 1, 32767);
    const processes = props.processes ?? 1;
    assertRange("BingoInstanceGroup", "processes", processes, 1, 65535 - props.appPort + 1);
    const size = props.instances ?? 2;
    assertRange("BingoInstanceGroup", "instances", size, 2, 10);
    const startup = props.startupSeconds ?? 900;
    assertRange("BingoInstanceGroup", "startupSeconds", startup, 60, 3600);
    const path = props.healthCheckPath ?? "/ping";
    assertHttpPath("BingoInstanceGroup", "healthCheckPath", path);

    // The group's own identity, with exactly what creating its instances needs
    // (compute/security: "Creating an instance group: compute.editor for the
    // folder"; vpc.user "lets you connect to network resources and use them":
    // the instances' subnet and security groups; iam.serviceAccounts.user "is
    // required when ... the service ... perform[s] operations on behalf of a
    // service account", granted on the instances' own account only, not the folder;
    // load-balancer.editor only when the group keeps a target group).
    const sa = new IamServiceAccount(this, "ServiceAccount", {
      name: `${props.name}-ig`,
      description: "Manages the bingo instance group",
    });
    const member = `serviceAccount:${sa.id}`;
    const folderRoles = [...IG_FOLDER_ROLES, ...(props.internalLoadBalancer ? ["load-balancer.editor"] : [])];
    const grants: TerraformResource[] = folderRoles.map(
      (role) =>
        new ResourcemanagerFolderIamMember(this, `Role-${role.replace(/[^a-z]/g, "-")}`, { folderId: props.folderId, role, member }),
    );
    if (props.serviceAccountId) {
      grants.push(
        new IamServiceAccountIamMember(this, "MayAttachInstanceAccount", {
          serviceAccountId: props.serviceAccountId,
          role: "iam.serviceAccounts.user",
          member,
        }),
      );
    }

    const ig = new ComputeInstanceGroup(this, "Group", {
      name: props.name,
      folderId: props.folderId,
      serviceAccountId: sa.id,
      dependsOn: grants,
      deletionProtection: false,
      instanceTemplate: {
        name: `${props.name}-{instance.index}`,
        hostname: `${props.name}-{instance.index}`,
        platformId: props.platformId ?? "standard-v3",
        serviceAccountId: props.serviceAccountId,
        resources: { cores: props.size.cores, memory: props.size.memoryGb, coreFraction: props.size.coreFraction ?? 100 },
        bootDisk: {
          mode: "READ_WRITE",
          initializeParams: { imageId: props.imageId, size: props.size.diskGb, type: props.size.diskType ?? "network-hdd" },
        },
        networkInterface: [{ networkId: props.networkId, subnetIds: [props.subnetId], nat: false, securityGroupIds: [...props.securityGroupIds] }],
        schedulingPolicy: { preemptible: props.preemptible ?? false },
        metadata: {
          "user-data": renderUserData({ sshUser: props.sshUser, sshPublicKey: props.sshPublicKey, selfConfigure: props.selfConfigure }),
        },
      },
      scalePolicy: { fixedScale: { size } },
      allocationPolicy: { zones: [props.zone] },
      // Rolling updates one instance at a time, never below size - 1 healthy nodes.
      deployPolicy: {
        maxUnavailable: 1,
        maxExpansion: 0,
        maxCreating: 1,
        maxDeleting: 1,
        startupDuration: startup,
        strategy: "proactive",
      },
      healthCheck: [
        {
          interval: 10,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
          httpOptions: { port: props.appPort, path },
        },
      ],
      maxCheckingHealthDuration: startup,
      // The provider waits 30 min by default; a first start may take startupSeconds.
      timeouts: { create: `${Math.ceil(startup / 60) + 30}m`, update: `${Math.ceil(startup / 60) + 30}m` },
      ...(props.internalLoadBalancer
        ? { loadBalancer: { targetGroupName: `${props.name}-tg`, targetGroupDescription: "bingo nodes of the instance group" } }
        : {}),
    });

    if (props.internalLoadBalancer) {
      const lb = new LbNetworkLoadBalancer(this, "InternalLoadBalancer", {
        name: `${props.name}-lb`,
        type: "internal",
        // One listener per process, on one address: the frontend's upstream lists it at each
        // port, as it lists every node at each port without the balancer.
        listener: Array.from({ length: processes }, (_, i) => ({
          name: i === 0 ? "bingo" : `bingo-${i + 1}`,
          port: props.appPort + i,
          targetPort: props.appPort + i,
          protocol: "tcp",
          internalAddressSpec: { subnetId: props.subnetId, ipVersion: "ipv4" },
        })),
        attachedTargetGroup: [
          {
            targetGroupId: ig.loadBalancer.targetGroupId,
            healthcheck: [{ name: "ping", interval: 2, timeout: 1, healthyThreshold: 2, unhealthyThreshold: 2, httpOptions: { port: props.appPort, path } }],
          },
        ],
      });
      // The address of the only listener, allocated by the cloud in the subnet.
      // internal_address_spec is a set of one object: one(tolist(...)).address.
      const spec: unknown = Fn.one(Fn.tolist(lb.listener.get(0).interpolationForAttribute("internal_address_spec")));
      this.loadBalancerAddress = Token.asString(Fn.lookup(spec, "address", ""));
    }

    const region = regionOf(props.zone);
    this.groupId = ig.id;
    this.groupServiceAccountId = sa.id;
    this.hostNames = Array.from({ length: size }, (_, i) => `${props.name}-${i + 1}.${region}.internal`);
    this.instanceIdsByFqdn = TerraformIterator.fromList(ig.instances).forExpressionForMap("val.fqdn", "val.instance_id");
  }
}
