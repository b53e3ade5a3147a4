// What the installation tests need to talk to the deployed local nodes: HTTP(S)
// through the frontend's forwarded ports on loopback, and commands on a node.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Agent, request } from "undici";

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, "../../..");
const nodesScript = path.join(ROOT, "scripts/local-nodes.sh");

/** The frontend as the host sees it (127.0.0.1:80 and :443 forward to it). */
/** Every local node, and the DB cluster's members (scripts/lib/local-nodes.conf). */
export const DB_NODES = ["db1", "db2", "db3"];
export const NODES = [...DB_NODES, "app1", "app2", "frontend1", "frontend2"];

export const HTTP_BASE = "http://localhost";
export const HTTPS_BASE = "https://localhost";

// The local certificate is self-signed: trust it for these tests only.
const insecure = new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 1_000 });

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** One request through the frontend; never throws on HTTP status, only on transport errors. */
export async function fetchAnswer(
  url: string,
  options: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  const timeout = options.timeoutMs ?? 30_000;
  const res = await request(url, {
    method: (options.method ?? "GET") as "GET",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    headers: options.body === undefined ? {} : { "content-type": "application/json" },
    dispatcher: url.startsWith("https:") ? insecure : undefined,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const body = await res.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : String(value ?? "");
  }
  return { status: res.statusCode, headers, body, ms: performance.now() - started };
}

/** Run a shell command on a local node (through the frontend jump host). */
export async function onNode(node: string, command: string, timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run(nodesScript, ["ssh", node, command], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** "open", "refused" or "silent": a TCP connect from one node to another address. */
export async function tcpFrom(node: string, host: string, port: number): Promise<string> {
  return onNode(node,
    `timeout 3 bash -c '</dev/tcp/${host}/${port}' 2>/dev/null && echo open || { [ $? -eq 124 ] && echo silent || echo refused; }`);
}

/** A member of the DB cluster as Patroni's GET /cluster lists it. */
export interface DbMember {
  name: string;
  role: string;
  state: string;
  timeline?: number;
}

/** The DB cluster's members, asked of one member's Patroni (db1 by default). */
export async function dbMembers(node = DB_NODES[0]): Promise<DbMember[]> {
  return (JSON.parse(await onNode(node, "curl -fsS -m 5 http://127.0.0.1:8008/cluster")) as { members: DbMember[] }).members;
}

/** The DB node whose PostgreSQL leads (Patroni's view); fails when none does. */
export async function dbLeader(node = DB_NODES[0]): Promise<string> {
  const name = (await dbMembers(node)).find((m) => m.role === "leader")?.name;
  if (!name) throw new Error("the database cluster has no leader");
  return name;
}

/** Run a repository script; resolves with its output, rejects with it on failure. */
export async function runScript(script: string, args: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await run(path.join(ROOT, script), args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

/** The host ports of the node's bingo processes (bingo-1 on the first), as the app role recorded them. */
export async function bingoPorts(node: string): Promise<number[]> {
  const fact = JSON.parse(await onNode(node, "cat /etc/ansible/facts.d/bingo.fact")) as { ports?: number[] };
  if (!fact.ports?.length) throw new Error(`${node}: /etc/ansible/facts.d/bingo.fact holds no ports`);
  return fact.ports.map(Number);
}

/** The host port of the node's first bingo process (bingo-1). */
export async function bingoPort(node: string): Promise<number> {
  return (await bingoPorts(node))[0];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Age of an answer in seconds: the test clock minus the X-Server-Time the app stamped on it. */
export function ageSeconds(answer: Answer, receivedAt: number): number {
  const stamped = Date.parse(answer.headers["x-server-time"] ?? "");
  if (Number.isNaN(stamped)) throw new Error(`no usable X-Server-Time header: ${JSON.stringify(answer.headers)}`);
  return (receivedAt - stamped) / 1000;
}
