import { Construct } from "constructs";
import { IamServiceAccount } from "../.gen/providers/yandex/iam-service-account";
import { LockboxSecret } from "../.gen/providers/yandex/lockbox-secret";
import { LockboxSecretIamMember } from "../.gen/providers/yandex/lockbox-secret-iam-member";
import { LockboxSecretVersion } from "../.gen/providers/yandex/lockbox-secret-version";
import { assertName } from "./validate";

export interface VmSecretsProps {
  /** Prefix of the secret and of the account that reads it. */
  readonly name: string;
  readonly folderId: string;
  /** Entry key -> value. */
  readonly entries: Readonly<Record<string, string>>;
}

/**
 * Secrets the self-configuring VMs read at boot: a Lockbox secret, and a service
 * account that may read that secret's payload and nothing else. A VM that runs
 * as this account fetches them with its metadata token, so they stay out of the
 * user-data (which anyone with view access to the folder can read).
 */
export class VmSecrets extends Construct {
  readonly secretId: string;
  /** Give this to the VMs (serviceAccountId) that read the secret. */
  readonly readerServiceAccountId: string;

  constructor(scope: Construct, id: string, props: VmSecretsProps) {
    super(scope, id);
    assertName("VmSecrets", "name", props.name);
    const keys = Object.keys(props.entries);
    if (keys.length === 0) throw new Error(`VmSecrets: ${props.name} has no entries`);
    const secret = new LockboxSecret(this, "Secret", {
      name: `${props.name}-secrets`,
      folderId: props.folderId,
      description: "Secrets the bingo VMs read at boot",
    });
    new LockboxSecretVersion(this, "Version", {
      secretId: secret.id,
      entries: keys.map((key) => ({ key, textValue: props.entries[key] })),
    });
    const reader = new IamServiceAccount(this, "Reader", {
      name: `${props.name}-vm`,
      folderId: props.folderId,
      description: "Identity of the bingo VMs: reads their Lockbox secret, nothing else",
    });
    new LockboxSecretIamMember(this, "ReaderMayRead", {
      secretId: secret.id,
      role: "lockbox.payloadViewer",
      member: `serviceAccount:${reader.id}`,
    });
    this.secretId = secret.id;
    this.readerServiceAccountId = reader.id;
  }
}
