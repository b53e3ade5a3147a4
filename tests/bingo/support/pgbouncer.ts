// Debian's pgbouncer in transaction pooling mode in front of a test cluster,
// as the installation runs it, on a loopback port, as the postgres user.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths";
import { TestCluster } from "./postgres";

export interface TestBouncer {
  port: number;
  stop(): void;
}

/** Fewer server connections than the stand-in's pool, so its clients really share them. */
const SERVER_POOL_SIZE = 4;

export function startBouncer(cluster: TestCluster, port = 56432): TestBouncer {
  execFileSync(join(ROOT, "scripts/test-postgres.sh"), ["pgbouncer"], { stdio: ["ignore", "ignore", "inherit"] });
  const base = mkdtempSync(join(tmpdir(), "bingo-pgbouncer-"));
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
  chownSync(base, uid, gid);
  const ini = join(base, "pgbouncer.ini");
  const pidFile = join(base, "pgbouncer.pid");
  writeFileSync(join(base, "userlist.txt"), '"postgres" "postgres"\n');
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=127.0.0.1 port=${cluster.port}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir = ${base}`,
      "auth_type = trust",
      `auth_file = ${join(base, "userlist.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${SERVER_POOL_SIZE}`,
      "max_client_conn = 200",
      `logfile = ${join(base, "pgbouncer.log")}`,
      `pidfile = ${pidFile}`,
      "",
    ].join("\n"),
  );
  execFileSync("runuser", ["-u", "postgres", "--", "/usr/sbin/pgbouncer", "-d", ini], { stdio: "pipe" });
  return {
    port,
    stop: () => {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
      } catch {
        // already gone
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
