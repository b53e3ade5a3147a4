// JSON-lines log in the shape of zap's production encoder. The real binary
// attaches a large context dump to every line, so the file grows fast; the
// stand-in does the same so log rotation is exercised for real.
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { Config } from "./config";
import { logFilePath } from "./paths";
import { goPanic } from "./go-panic";
import { BUILD_STAMP } from "./version";

export type Fields = Record<string, unknown>;

export class Logger {
  private readonly context: Fields;

  constructor(
    private readonly fd: number,
    config: Config,
  ) {
    // Repeated on every line, as the real binary does with its whole core state.
    this.context = {
      build: BUILD_STAMP,
      pid: process.pid,
      hostname: hostname(),
      student_email: config.student_email,
      config: { ...config, postgres_cluster: { ...config.postgres_cluster, password: "********" } },
      runtime: { go_version: "go1.21.4", go_os: "linux", go_arch: "amd64", gomaxprocs: 2 },
      feature_flags: { google_dns_check: true, rate_limit_rps: 100, long_dummy: true, db_dummy: true },
      process: { argv: process.argv.slice(1), cwd: process.cwd(), uid: process.getuid?.(), started_at: new Date().toISOString() },
      routes: [
        "GET /", "GET /ping", "GET /long_dummy", "GET /db_dummy", "POST /operation",
        "GET /api/movie", "GET /api/movie/{id}", "GET /api/customer", "GET /api/customer/{id}",
        "GET /api/session", "GET /api/session/{id}", "POST /api/session", "DELETE /api/session/{id}",
      ],
    };
  }

  log(level: "debug" | "info" | "warn" | "error", msg: string, fields: Fields = {}): void {
    const line = {
      level,
      ts: Date.now() / 1000,
      caller: "bingo/logger.go:77",
      msg,
      ...fields,
      memstats: process.memoryUsage(),
      context: this.context,
    };
    try {
      writeSync(this.fd, JSON.stringify(line) + "\n");
    } catch {
      // A full disk or a vanished symlink target must not take the server down.
    }
  }

  info(msg: string, fields?: Fields): void {
    this.log("info", msg, fields);
  }

  error(msg: string, fields?: Fields): void {
    this.log("error", msg, fields);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Open main.log for append; the folder is never created, as with the real binary. */
export function buildLogger(config: Config): Logger {
  const path = logFilePath(config.student_email);
  if (!existsSync(dirname(path))) goPanic("failed to build logger", "logger.MustBuild");
  try {
    return new Logger(openSync(path, "a"), config);
  } catch {
    goPanic("failed to build logger", "logger.MustBuild");
  }
}
