// Running build/bingo the way an installation does: the fixed config and log
// paths, an unprivileged user (the tests themselves run as root in CI), and
// the port discovered from the listening socket, never computed.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { BINGO, ROOT } from "./paths";

export const CONFIG_PATH = "/opt/bingo/config.yaml";
export const LOG_ROOT = "/opt/bongo/logs";
export const RUN_AS = "bingo";

/** Build the stand-in (a no-op when up to date) and create the unprivileged user. */
export function prepareHost(): void {
  execFileSync(`${ROOT}/scripts/build-bingo.sh`, { stdio: ["ignore", "ignore", "inherit"] });
  try {
    execFileSync("id", ["-u", RUN_AS], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS]);
  }
}

export function userIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync("id", ["-u", RUN_AS], { encoding: "utf8" })),
    gid: Number(execFileSync("id", ["-g", RUN_AS], { encoding: "utf8" })),
  };
}

export function logDir(email: string): string {
  return `${LOG_ROOT}/${createHash("sha1").update(email).digest("hex").slice(0, 10)}`;
}

export interface Installation {
  email: string;
  logFile: string;
  writeConfig(yaml: string): void;
  removeLogDir(): void;
  createLogDir(): void;
  restore(): void;
}

export function configYaml(email: string, pgPort: number, database = "postgres", address = "127.0.0.1"): string {
  return [
    `student_email: ${email}`,
    "postgres_cluster:",
    "  hosts:",
    `  - address: ${address}`,
    `    port: ${pgPort}`,
    "  user: postgres",
    "  password: postgres",
    `  db_name: ${database}`,
    "  ssl_mode: disable",
    "  use_closest_node: false",
    "",
  ].join("\n");
}

/** Lay out /opt/bingo/config.yaml and the log folder; restore() puts back what was there before. */
export function install(email: string, pgPort: number): Installation {
  const backup = `${CONFIG_PATH}.before-test`;
  const hadConfig = existsSync(CONFIG_PATH);
  if (hadConfig) renameSync(CONFIG_PATH, backup);
  const hadLogRoot = existsSync("/opt/bongo");
  const hadConfigDir = existsSync("/opt/bingo");
  mkdirSync("/opt/bingo", { recursive: true });
  const dir = logDir(email);
  const { uid, gid } = userIds();
  const installation: Installation = {
    email,
    logFile: `${dir}/main.log`,
    writeConfig: (yaml) => writeFileSync(CONFIG_PATH, yaml, { mode: 0o644 }),
    removeLogDir: () => rmSync(dir, { recursive: true, force: true }),
    createLogDir: () => {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, uid, gid);
    },
    restore: () => {
      rmSync(CONFIG_PATH, { force: true });
      if (hadConfig) renameSync(backup, CONFIG_PATH);
      else if (!hadConfigDir) rmSync("/opt/bingo", { recursive: true, force: true });
      if (hadLogRoot) rmSync(dir, { recursive: true, force: true });
      else rmSync("/opt/bongo", { recursive: true, force: true });
    },
  };
  installation.writeConfig(configYaml(email, pgPort));
  installation.createLogDir();
  return installation;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment of a run: only the stand-in's three variables may differ from the real binary's. */
export function standinEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: "/usr/bin:/bin", BINGO_STARTUP_PROBE: `127.0.0.1:${closedPort()}`, ...extra };
}

/** A loopback port nothing listens on: connects are refused at once. */
export function closedPort(): number {
  return 9;
}

/** Run a short subcommand to completion as the unprivileged user. */
export function runBingo(args: string[], env = standinEnv(), asRoot = false, timeoutMs = 600_000, binary = BINGO): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, cwd: "/", ...(asRoot ? {} : userIds()) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  base: string;
  startMs: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The port a process listens on, read from its socket (as the app role does). */
export function listeningPort(pid: number): number | undefined {
  const out = execFileSync("ss", ["-Hltnp"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const match = /:(\d+)\s+\S+:\*/.exec(line) ?? /:(\d+)\s/.exec(line);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Start `run_server` and wait for the yoohoo block and a listening socket. */
export async function startServer(env = standinEnv(), timeoutMs = 60_000): Promise<RunningServer> {
  const started = Date.now();
  const child = spawn(BINGO, ["run_server"], { env, cwd: "/", ...userIds() });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = started + timeoutMs;
  while (!out.includes("code: yoohoo_server_launched")) {
    if (exitCode !== undefined) throw new Error(`run_server exited with ${exitCode}: ${err}${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`run_server did not launch within ${timeoutMs} ms: ${err}${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = Date.now() - started;
  const port = listeningPort(child.pid ?? 0);
  if (port === undefined) throw new Error("run_server launched but no listening socket was found");
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    startMs,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async () => {
      if (exitCode === undefined) child.kill("SIGKILL");
      await exited;
    },
  };
}

export function readLogLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
