// The frontends' access log (format bingo_access of the nginx_frontend role):
// which app node nginx passed a request to, and what that node answered.
//   172.30.77.1 [2026-01-05T10:00:01+00:00] "GET /api/movie/5 HTTP/1.1" 502 157 rt=0.003
//   uct=0.001 urt=0.002 ua="172.30.77.21:8321, 172.30.77.22:8321" us="502, 200" cache=- ...
import type { InventoryNode } from "../target/inventory.js";
import { runOn } from "../target/ssh.js";

export const ACCESS_LOG = "/var/log/nginx/bingo_access.log";

export interface Upstream {
  /** "address:port" as nginx wrote it. */
  address: string;
  /** Its status, or "-"/"" when it gave none (connection failed, timed out). */
  status: string;
}

export interface AccessEntry {
  /** The frontend whose log holds the line. */
  frontend: string;
  /** When nginx logged it (the answer's end), epoch ms; the log has whole seconds. */
  atMs: number;
  /** nginx's $request_time, ms. */
  requestMs: number;
  method: string;
  path: string;
  status: number;
  /** Every upstream nginx tried, in order ($upstream_addr with $upstream_status). */
  upstreams: Upstream[];
}

const LINE = /^\S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) \S+ rt=([\d.]+) .*?\bua="([^"]*)" us="([^"]*)"/;

/** One log line, or undefined for a line in another format. */
export function parseAccessLine(frontend: string, line: string): AccessEntry | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const atMs = Date.parse(m[1]);
  if (Number.isNaN(atMs)) return undefined;
  // "a, b : c" lists tries (", ") and internal redirects (" : "); both are tries here.
  const split = (v: string) => (v === "-" || v === "" ? [] : v.split(/\s*[,:]\s+/));
  const addresses = split(m[6]);
  const statuses = split(m[7]);
  return {
    frontend,
    atMs,
    requestMs: Number(m[5]) * 1000,
    method: m[2],
    path: m[3],
    status: Number(m[4]),
    upstreams: addresses.map((address, i) => ({ address, status: statuses[i] ?? "-" })),
  };
}

export interface AccessLogRead {
  entries: AccessEntry[];
  /** Frontends whose log could not be read, with why. */
  problems: string[];
}

/**
 * The lines of every frontend's log that nginx did not answer with a 2xx, logged
 * between fromMs and toMs (epoch ms). Best effort: a frontend that cannot be read is
 * named in problems, never thrown. The tail of the current and the previous
 * (delaycompress: still plain) file is enough for one drill.
 */
export async function readFailedAccesses(frontends: readonly InventoryNode[], fromMs: number, toMs: number, maxLines: number): Promise<AccessLogRead> {
  const tail = `f=${ACCESS_LOG}; sudo test -e "$f" || { echo "no $f" >&2; exit 3; }; { sudo tail -n ${Math.ceil(maxLines)} "$f.1" 2>/dev/null; sudo tail -n ${Math.ceil(maxLines)} "$f"; } | awk '$6 !~ /^2/'`;
  const reads = await Promise.all(
    frontends.map(async (node) => {
      const r = await runOn(node, tail, 30_000).catch((err: unknown) => ({ code: -1, stdout: "", stderr: String(err) }));
      if (r.code !== 0) return { node, entries: [], problem: `${node.name}: exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 200)}` };
      const entries = r.stdout
        .split("\n")
        .map((line) => parseAccessLine(node.name, line))
        .filter((e): e is AccessEntry => e !== undefined && e.atMs >= fromMs && e.atMs <= toMs);
      return { node, entries, problem: undefined };
    }),
  );
  return { entries: reads.flatMap((r) => r.entries), problems: reads.flatMap((r) => (r.problem ? [r.problem] : [])) };
}
