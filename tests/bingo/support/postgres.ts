// A throwaway PostgreSQL cluster from Debian's packages, run as the postgres
// user in a temporary folder on a loopback port, for the stand-in tests.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ROOT } from "./paths";

export interface TestCluster {
  port: number;
  dataDir: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  stop(): void;
}

function postgresBinDir(): string {
  return execFileSync(join(ROOT, "scripts/test-postgres.sh"), { encoding: "utf8" }).trim().split("\n").pop() ?? "";
}

function idOf(user: string, flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
}

export function startCluster(port = 55432): TestCluster {
  const bin = postgresBinDir();
  const base = mkdtempSync(join(tmpdir(), "bingo-pg-"));
  chownSync(base, idOf("postgres", "-u"), idOf("postgres", "-g"));
  const dataDir = join(base, "data");
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { cwd: base, stdio: "pipe" });
  asPostgres("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const options = [
    `-p ${port}`,
    `-k ${base}`,
    "-c listen_addresses=127.0.0.1",
    "-c shared_buffers=512MB",
    "-c max_wal_size=4GB",
    "-c max_connections=200",
  ].join(" ");
  asPostgres("pg_ctl", ["-D", dataDir, "-o", options, "-l", join(base, "server.log"), "-w", "-t", "60", "start"]);

  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = "postgres") => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const stop = () => {
    try {
      asPostgres("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  };
  return { port, dataDir, query, stop };
}
