// Commands on the installation's nodes over SSH, reached exactly as Ansible reaches
// them (same key, same common arguments, so ProxyCommand/ProxyJump work too).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import type { InventoryNode } from "./inventory.js";

function sshArgv(node: InventoryNode): string[] {
  const argv = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", String(node.sshPort)];
  if (node.sshKey) argv.push("-i", node.sshKey);
  argv.push(...node.sshArgs, `${node.sshUser}@${node.host}`);
  return argv;
}

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** ssh's own failures to connect (the command never ran), as opposed to the command's. */
const CONNECT_FAILURE = /kex_exchange_identification|stdio forwarding failed|Connection (closed|refused|reset|timed out)|Connection timed out during banner exchange|No route to host/;
const CONNECT_ATTEMPTS = 3;

/**
 * Runs a shell command on the node; never throws for a non-zero exit. A connection
 * that ssh could not establish (a node's sshd busy or briefly restarting) is tried
 * again, at most CONNECT_ATTEMPTS times.
 */
export async function runOn(node: InventoryNode, command: string, timeoutMs = 60_000): Promise<RemoteResult> {
  let r = await runOnce(node, command, timeoutMs);
  for (let attempt = 1; attempt < CONNECT_ATTEMPTS && r.code === 255 && CONNECT_FAILURE.test(r.stderr); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    r = await runOnce(node, command, timeoutMs);
  }
  return r;
}

function runOnce(node: InventoryNode, command: string, timeoutMs: number): Promise<RemoteResult> {
  return new Promise((resolve) => {
    execFile("ssh", [...sshArgv(node), command], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? Number((err as { code: number }).code) : 255) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like runOn, but fails with the command's error output when it exits non-zero. */
export async function mustRunOn(node: InventoryNode, command: string, timeoutMs = 60_000): Promise<string> {
  const r = await runOn(node, command, timeoutMs);
  if (r.code !== 0) throw new Error(`on ${node.name}: '${command}' exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** A long-running command on the node whose output lines are streamed to onLine. */
export function streamFrom(node: InventoryNode, command: string, onLine: (line: string) => void): ChildProcess {
  const child = spawn("ssh", [...sshArgv(node), command], { stdio: ["ignore", "pipe", "ignore"] });
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  return child;
}
