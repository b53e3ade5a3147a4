// Environment variables that stand in for settings (CI, one-off overrides).
import { Raw, setPath } from "./raw";

/** Environment variables that override a setting (dotted path in the YAML file). */
export const ENV_OVERRIDES: Readonly<Record<string, string>> = {
  YC_CLOUD_ID: "cloud.cloud_id",
  YC_FOLDER_ID: "cloud.folder_id",
  YC_ZONE: "cloud.zone",
  YC_IMAGE_FAMILY: "image.family",
  BINGO_SSH_PUBLIC_KEY: "ssh.public_key",
  BINGO_SSH_PRIVATE_KEY_FILE: "ssh.private_key_file",
  BINGO_STUDENT_EMAIL: "student_email",
  BINGO_DOMAIN: "domain",
  BINGO_ACME_EMAIL: "tls.acme_email",
  BINGO_APP_PORT: "app.port",
  BINGO_APP_PROCESSES: "app.processes",
  BINGO_LOAD_BALANCER: "app.load_balancer",
  BINGO_SSH_ALLOWED_CIDRS: "network.ssh_allowed_cidrs",
};

/** The raw settings with every non-empty override of env written over them. */
export function applyEnvOverrides(raw: Raw, env: NodeJS.ProcessEnv): Raw {
  const merged: Raw = structuredClone(raw);
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== "") setPath(merged, key, v);
  }
  return merged;
}

/** The environment variable that overrides a setting, if any. */
export const envNameOf = (key: string): string | undefined => Object.entries(ENV_OVERRIDES).find(([, k]) => k === key)?.[0];

/** Same test as have_cloud_credentials in scripts/lib/common.sh. */
export function hasCloudCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.YC_TOKEN || env.YC_IAM_TOKEN || env.YC_SERVICE_ACCOUNT_KEY_FILE);
}
