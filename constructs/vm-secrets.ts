import { Construct } from "constructs";
import { IamServiceAccount } from "../.gen/providers/yandex/iam-service-account";
import { LockboxSecret } from "../.gen/providers/yandex/lockbox-secret";
import { LockboxSecretIamMember } from "../.gen/providers/yandex/lockbox-secret-iam-member";
import { assertName, assertRange } from "./validate";

export interface VmSecretsProps {
  /** Prefix of the secret and of the account that reads it. */
  readonly name: string;
  readonly folderId: string;
  /** Key of the entry that holds the password Lockbox generates (letters and digits). */
  readonly passwordKey: string;
  /** Length of the generated password. @default 32 */
  readonly passwordLength?: number;
  /** Other service accounts that may read this secret too (another tier's VMs). @default none */
  readonly otherReaders?: readonly string[];
  /** What the secret holds, for its description. @default "Secrets the bingo VMs read at boot" */
  readonly description?: string;
}

/**
 * Secrets the self-configuring VMs read at boot: a Lockbox secret whose password
 * Lockbox itself generates (password_payload_specification: "the created secret
 * will contain a version with the generated password"), so no synthesized file
 * ever holds it, and a service account that may read that secret's payload and
 * nothing else (but other secrets that name it in otherReaders). A VM that runs
 * as this account fetches it with its metadata token, so it stays out of the
 * user-data (which anyone with view access to the folder can read).
 */
export class VmSecrets extends Construct {
  readonly secretId: string;
  /** Give this to the VMs (serviceAccountId) that read the secret. */
  readonly readerServiceAccountId: string;

  constructor(scope: Construct, id: string, props: VmSecretsProps) {
    super(scope, id);
    assertName("VmSecrets", "name", props.name);
    if (!/^[-_./\\@0-9a-zA-Z]{1,256}$/.test(props.passwordKey)) {
      throw new Error(`VmSecrets: passwordKey "${props.passwordKey}" is not a Lockbox entry key; use letters, digits and -_./@`);
    }
    const length = props.passwordLength ?? 32;
    assertRange("VmSecrets", "passwordLength", length, 16, 256);
    const secret = new LockboxSecret(this, "Secret", {
      name: `${props.name}-secrets`,
      folderId: props.folderId,
      description: props.description ?? "Secrets the bingo VMs read at boot",
      // No punctuation: the password goes into pgbouncer's userlist and connection strings as is.
      passwordPayloadSpecification: {
        passwordKey: props.passwordKey,
        length,
        includeUppercase: true,
        includeLowercase: true,
        includeDigits: true,
        includePunctuation: false,
      },
    });
    const reader = new IamServiceAccount(this, "Reader", {
      name: `${props.name}-vm`,
      folderId: props.folderId,
      description: "Identity of the bingo VMs: reads their Lockbox secrets, nothing else",
    });
    const mayRead = (id: string, account: string) =>
      new LockboxSecretIamMember(this, id, { secretId: secret.id, role: "lockbox.payloadViewer", member: `serviceAccount:${account}` });
    mayRead("ReaderMayRead", reader.id);
    (props.otherReaders ?? []).forEach((account, i) => mayRead(`OtherReader${i + 1}MayRead`, account));
    this.secretId = secret.id;
    this.readerServiceAccountId = reader.id;
  }
}
