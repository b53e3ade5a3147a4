import * as path from "node:path";
import { App } from "cdktf";
import { Settings } from "../settings";
import { AppStack } from "./app";
import { DbStack } from "./db";
import { FrontendStack } from "./frontend";
import { NetworkStack } from "./network";

export interface Stacks {
  readonly network: NetworkStack;
  readonly db: DbStack;
  readonly app: AppStack;
  readonly frontend: FrontendStack;
}

/**
 * One stack per deployable unit, applied in this order (cross-stack references
 * make each later stack read the earlier ones' outputs from their state):
 * network -> db -> app -> frontend (which also runs Ansible).
 */
export function buildStacks(app: App, settings: Settings, root = path.resolve(__dirname, "..")): Stacks {
  const network = new NetworkStack(app, "network", settings);
  const db = new DbStack(app, "db", settings, network);
  const appStack = new AppStack(app, "app", settings, network, db);
  const frontend = new FrontendStack(app, "frontend", settings, { net: network, db, app: appStack, root });
  // Its Ansible run configures the app nodes too, so it follows the app stack
  // even when no value of that stack is referenced (no load balancer).
  frontend.addDependency(appStack);
  return { network, db, app: appStack, frontend };
}
