// The fixed paths of the real binary; it has no flags to change them.
import { createHash } from "node:crypto";

export const CONFIG_PATH = "/opt/bingo/config.yaml";
export const LOG_ROOT = "/opt/bongo/logs";

/** First 10 hex characters of sha1(email): the per-student log folder name. */
export function logDirName(email: string): string {
  return createHash("sha1").update(email).digest("hex").slice(0, 10);
}

export function logFilePath(email: string): string {
  return `${LOG_ROOT}/${logDirName(email)}/main.log`;
}
