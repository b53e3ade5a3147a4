import { Construct } from "constructs";
import { ComputeInstance } from "../.gen/providers/yandex/compute-instance";
import { renderUserData, SelfConfiguration } from "./cloud-init";
import { assertName, assertRange } from "./validate";

export interface VmSizeProps {
  readonly cores: number;
  readonly memoryGb: number;
  /** @default 100 */
  readonly coreFraction?: number;
  readonly diskGb: number;
  /** @default "network-hdd" */
  readonly diskType?: string;
}

/** What every machine needs, whether a single VM or a group's instance. */
export interface MachineProps {
  readonly zone: string;
  readonly subnetId: string;
  readonly securityGroupIds: readonly string[];
  readonly imageId: string;
  readonly size: VmSizeProps;
  readonly sshUser: string;
  readonly sshPublicKey: string;
  /** @default "standard-v3" */
  readonly platformId?: string;
  /** The identity of the machine's own processes (a metadata token), e.g. to read its secrets. @default none */
  readonly serviceAccountId?: string;
}

export interface VmProps extends MachineProps {
  /** VM name; also its host name, so its FQDN is <name>.<region>.internal. */
  readonly name: string;
  /** A fixed private address in the subnet (others may trust it before the VM exists). @default allocated by the cloud */
  readonly privateAddress?: string;
  /** Give the VM a public address (one-to-one NAT). @default false */
  readonly publicIp?: boolean;
  /** With publicIp: a reserved address (yandex_vpc_address) to use. @default an ephemeral one */
  readonly publicAddress?: string;
  /** @default false */
  readonly preemptible?: boolean;
  /** Configure the VM from its own user-data, with nobody connecting. @default none */
  readonly selfConfigure?: SelfConfiguration;
}

/** The attribute path of a VM's boot image, whose change forces a new VM. */
export const BOOT_IMAGE = "boot_disk[0].initialize_params[0].image_id";

/** One VM with the ansible user in its cloud-init. */
export class Vm extends Construct {
  readonly instanceId: string;
  readonly privateAddress: string;
  /** The public address; empty string when publicIp is false. */
  readonly publicAddress: string;
  readonly fqdn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: VmProps) {
    super(scope, id);
    assertName("Vm", "name", props.name);
    assertRange("Vm", `size.cores of ${props.name}`, props.size.cores, 2, 64);
    assertRange("Vm", `size.memoryGb of ${props.name}`, props.size.memoryGb, 1, 256);
    assertRange("Vm", `size.diskGb of ${props.name}`, props.size.diskGb, 10, 1024);
    if (props.publicAddress !== undefined && !props.publicIp) {
      throw new Error(`Vm: ${props.name} has publicAddress but not publicIp; set publicIp: true to use the address`);
    }
    if (props.securityGroupIds.length === 0) {
      throw new Error(`Vm: ${props.name} has no securityGroupIds; pass the group of its tier (SecurityGroups.frontendId/appId/dbId)`);
    }
    const vm = new ComputeInstance(this, "Instance", {
      name: props.name,
      hostname: props.name,
      zone: props.zone,
      platformId: props.platformId ?? "standard-v3",
      serviceAccountId: props.serviceAccountId,
      allowStoppingForUpdate: true,
      resources: {
        cores: props.size.cores,
        memory: props.size.memoryGb,
        coreFraction: props.size.coreFraction ?? 100,
      },
      bootDisk: {
        initializeParams: { imageId: props.imageId, size: props.size.diskGb, type: props.size.diskType ?? "network-hdd" },
      },
      networkInterface: [
        {
          subnetId: props.subnetId,
          ipAddress: props.privateAddress,
          nat: props.publicIp ?? false,
          natIpAddress: props.publicIp ? props.publicAddress : undefined,
          securityGroupIds: [...props.securityGroupIds],
        },
      ],
      schedulingPolicy: { preemptible: props.preemptible ?? false },
      metadata: {
        "user-data": renderUserData({
          sshUser: props.sshUser,
          sshPublicKey: props.sshPublicKey,
          selfConfigure: props.selfConfigure,
        }),
      },
      // imageId is the newest image of a family, read on every plan, and a new
      // boot-disk image forces a new VM (the provider's compute_image data-source
      // docs say to ignore it): the VM keeps the image it was created from, so a
      // new image in the family never replaces the database or the frontend.
      lifecycle: { ignoreChanges: [BOOT_IMAGE] },
    });
    this.name = props.name;
    this.instanceId = vm.id;
    this.privateAddress = vm.networkInterface.get(0).ipAddress;
    this.publicAddress = props.publicIp ? vm.networkInterface.get(0).natIpAddress : "";
    this.fqdn = vm.fqdn;
  }
}
