// The subcommands of the real binary's cobra CLI: the command table, with the
// one-line descriptions its help prints, and what the commands that touch
// config, logs and the database do.
import pg from "pg";
import { Config, defaultConfig, loadConfig, renderConfig } from "../config";
import { buildLogger } from "../logger";
import { connectCluster, NoHostError, CONNECT_ERROR } from "../db/connect";
import { prepareDb } from "../db/prepare-db";
import { scaledSizes } from "../db/schema";
import { cobraError } from "../go-panic";
import { portForEmail } from "../port";
import { runStartupProbe } from "../startup-probe";
import { printCodeBlock } from "../banner";
import { FaultState, planFaults } from "../faults";
import { createBingoServer } from "../server/app";

export interface CommandInfo {
  name: string;
  short: string;
}

export const COMMANDS: CommandInfo[] = [
  { name: "completion", short: "Generate the autocompletion script for the specified shell" },
  { name: "help", short: "Help about any command" },
  { name: "prepare_db", short: "Creates the tables and fills them with the test data" },
  { name: "print_current_config", short: "Prints the config read from /opt/bingo/config.yaml" },
  { name: "print_default_config", short: "Prints the default config" },
  { name: "run_server", short: "Starts the HTTP server" },
  { name: "version", short: "Prints the build version" },
];

export const SHELLS = ["bash", "fish", "powershell", "zsh"] as const;
export type Shell = (typeof SHELLS)[number];

const POOL_SIZE = 16;

async function openDatabase(config: Config): Promise<pg.Pool> {
  try {
    return await connectCluster(config.postgres_cluster, POOL_SIZE);
  } catch (err) {
    if (err instanceof NoHostError) cobraError(CONNECT_ERROR);
    throw err;
  }
}

export function printDefaultConfig(): void {
  process.stdout.write(renderConfig(defaultConfig()));
}

export function printCurrentConfig(): void {
  process.stdout.write(renderConfig(loadConfig()));
}

export async function prepareDbCommand(): Promise<void> {
  const config = loadConfig();
  const logger = buildLogger(config);
  let sizes;
  try {
    sizes = scaledSizes(process.env.BINGO_DATA_SCALE);
  } catch (err) {
    cobraError((err as Error).message);
  }
  const pool = await openDatabase(config);
  try {
    const result = await prepareDb(pool, sizes, logger);
    const rows = `${result.rows.movies} movies, ${result.rows.customers} customers, ${result.rows.sessions} sessions`;
    process.stdout.write(
      result.alreadyPrepared
        ? `Database is already prepared (${rows}); initial data left untouched.\n`
        : `Database prepared: ${rows} loaded in ${result.seconds.toFixed(1)} s.\n`,
    );
  } catch (err) {
    logger.error("prepare_db failed", { error: (err as Error).message });
    cobraError(`failed to prepare database: ${(err as Error).message}`);
  } finally {
    await pool.end();
  }
}

export async function runServer(): Promise<void> {
  const config = loadConfig();
  const logger = buildLogger(config);
  let plan;
  try {
    plan = planFaults(Date.now(), process.env.BINGO_LIFETIME_S);
  } catch (err) {
    cobraError((err as Error).message);
  }
  const pool = await openDatabase(config);
  logger.info("database connected");

  const outcome = await runStartupProbe();
  logger.info("startup probe finished", { outcome });
  if (outcome === "refused") printCodeBlock("Google DNS does not speak HTTP, no need to wait for it.", "google_dns_is_not_http");

  const faults = new FaultState(logger);
  const server = createBingoServer({ pool, faults }, logger);
  const port = portForEmail(config.student_email);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  }).catch((err: Error) => cobraError(`failed to start server on port ${port}: ${err.message}`));
  faults.schedule(plan);
  logger.info("server launched", { port });
  printCodeBlock(`Yoohoo! The server is up and listening.`, "yoohoo_server_launched");
}
