// The typed settings the cloud stacks are built from.
export interface VmSize {
  readonly cores: number;
  readonly memoryGb: number;
  /** Guaranteed share of a core, percent (20, 50 or 100). */
  readonly coreFraction: number;
  readonly diskGb: number;
  readonly diskType: string;
}

export interface Settings {
  readonly cloudId?: string;
  readonly folderId: string;
  readonly zone: string;
  /** One frontend per zone, behind the network load balancer (two zones: no single frontend). */
  readonly frontendZones: readonly string[];
  /** One DB VM per zone (an etcd member and a Patroni-managed PostgreSQL each): distinct, an odd number >= 3. */
  readonly dbZones: readonly string[];
  readonly platformId: string;
  readonly preemptible: boolean;
  readonly imageFamily: string;
  readonly imageFolderId: string;
  readonly network: {
    /** Split evenly into one public subnet per frontend zone. */
    readonly publicCidr: string;
    /** Host number of each frontend's fixed private address in its zone's public subnet. */
    readonly frontendHost: number;
    /** Where the instance group's health checks come from (the app nodes let them in). */
    readonly healthCheckSources: readonly string[];
    /** Split evenly into one private subnet per private zone: unique([zone, ...dbZones]); the app nodes are in the first. */
    readonly privateCidr: string;
    /** Host number of each DB VM's fixed private address in its zone's private subnet. */
    readonly dbHost: number;
    /** Who may SSH to the frontend (the jump host). */
    readonly sshAllowedCidrs: readonly string[];
  };
  readonly ssh: {
    readonly user: string;
    readonly publicKey: string;
    /** Private key Ansible uses on the controller (never leaves it). */
    readonly privateKeyFile: string;
  };
  readonly sizes: { readonly db: VmSize; readonly app: VmSize; readonly frontend: VmSize };
  readonly app: {
    readonly instances: number;
    /** The port the binary listens on (fixed per email): process 1's host port, and every container's own port. */
    readonly port: number;
    /** bingo processes per app node, published on port, port + 1, ... (see appPorts). */
    readonly processes: number;
    readonly binaryUrl: string;
    /** An internal network load balancer in front of the group; the frontend proxies to it. */
    readonly loadBalancer: boolean;
  };
  readonly studentEmail: string;
  readonly domain: string;
  /** Let's Encrypt's account email: set, the frontend gets a real certificate for domain; unset, a self-signed one. */
  readonly acmeEmail?: string;
  /** Where the local Terraform state of each stack lives. */
  readonly stateDir: string;
  /**
   * Extra Ansible variables for every node (role defaults to override), given to
   * the self-configuring VMs in their user-data and to the controller's inventory.
   */
  readonly ansibleVars: Readonly<Record<string, unknown>>;
}
