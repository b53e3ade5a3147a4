// The local nodes as the local apply plays them (scripts/lib/local-nodes.conf), and the
// stacks synthesized from settings of the local network, as make deploy synthesizes them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { ensureBindings, fixtureSettings } from "../cloud/fixture";

/** Node name, the VM it stands for in the synthesized stacks, its address; the balancer's too. */
export const LOCAL_NODES = [
  { node: "db1", cloudName: "bingo-db-1", address: "172.30.77.68" },
  { node: "db2", cloudName: "bingo-db-2", address: "172.30.77.84" },
  { node: "db3", cloudName: "bingo-db-3", address: "172.30.77.100" },
  { node: "app1", cloudName: "bingo-app-1", address: "172.30.77.69" },
  { node: "app2", cloudName: "bingo-app-2", address: "172.30.77.70" },
  { node: "frontend1", cloudName: "bingo-frontend-1", address: "172.30.77.20" },
  { node: "frontend2", cloudName: "bingo-frontend-2", address: "172.30.77.28" },
  { node: "balancer", cloudName: "bingo-frontend", address: "172.30.77.252" },
];

/** The stacks synthesized for the local network into a new temporary folder, returned. */
export function synthLocalStacks(prefix: string): string {
  ensureBindings();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStacks } = require("../../stacks") as typeof import("../../stacks");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const app = new App({ outdir });
  buildStacks(
    app,
    fixtureSettings({
      network: { private_cidr: "172.30.77.64/26", db_host: 4, public_cidr: "172.30.77.16/28", frontend_host: 4, ssh_allowed_cidrs: ["172.30.77.1/32"] },
    }),
  );
  app.synth();
  return outdir;
}
