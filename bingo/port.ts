// The HTTP port is fixed per student email. The real rule is unknown, so this
// one is only deterministic: deployments must discover the port, not compute it.
import { createHash } from "node:crypto";

const LOWEST = 1024;
const HIGHEST = 32767;
/** Ports the installation itself uses (ssh, http(s), postgres, pgbouncer, exporters). */
const RESERVED = new Set([22, 80, 443, 3903, 5432, 6432, 9090, 9100, 9113, 9127, 9187]);

export function portForEmail(email: string): number {
  const digest = createHash("sha1").update(email).digest();
  let port = LOWEST + (digest.readUInt32BE(0) % (HIGHEST - LOWEST + 1));
  while (RESERVED.has(port)) port = port === HIGHEST ? LOWEST : port + 1;
  return port;
}
