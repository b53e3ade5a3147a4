// Every failed request of a drill explained: which node served it (from the frontends'
// access log, when nginx answered at all) and why it failed, in a few named classes.
import type { Sample } from "../driver/samples.js";
import type { AccessEntry } from "./access-log.js";

export const FAILURE_CLASSES = {
  cut: "cut in flight by the break (the broken node was serving it)",
  reset: "refused/reset by a restarting proxy",
  timeout: "no answer within the driver's timeout",
  gateway: "502/504 from the frontend: no app node answered in time",
  app: "error answered by an app node (5xx, 429)",
  shed: "shed by the driver (too many outstanding)",
  other: "other",
} as const;
export type FailureClass = keyof typeof FAILURE_CLASSES;

/** The break as the suite saw it, in ms since the suite's clock origin. */
export interface BreakMoments {
  atMs: number;
  /** When the broken part served again (NaN: it did not). */
  servingAgainMs: number;
  /** Private address of the app node the drill breaks, if it breaks one. */
  brokenAddress?: string;
}

export interface ExplainedFailure {
  sample: Sample;
  /** Seconds from the break to the request's intended start (negative: before it). */
  atS: number;
  /** Who served it: "fe1 -> app1 502, app2 502", "no answer: connection reset", "node unknown". */
  node: string;
  class: FailureClass;
}

/** Connection-level errors (undici and node codes) a frontend that restarts or dies causes. */
const RESET = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUT = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT", "TimeoutError", "AbortError"]);

/** "connection reset", "connection refused", "timeout" or the code itself. */
export function noAnswer(error: string | undefined): string {
  if (error === "ECONNREFUSED") return "connection refused";
  if (error === "UND_ERR_SOCKET" || error === "UND_ERR_CLOSED") return "connection closed";
  if (error !== undefined && RESET.has(error)) return "connection reset";
  if (error !== undefined && TIMEOUT.has(error)) return "timeout";
  return error ?? "error";
}

const host = (address: string) => address.replace(/:\d+$/, "");
const methodOf = (endpoint: string) => endpoint.split(" ")[0];

/** "GET /api/movie/{id}" as a path pattern, for a sample that did not keep its path. */
function pathPattern(endpoint: string): RegExp {
  const path = endpoint.slice(endpoint.indexOf(" ") + 1);
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === "{" || c === "}" ? c : `\\${c}`)).replace(/\{[^}]+\}/g, "[^/?]+")}/?$`);
}

/**
 * The log line of each failed sample that got an HTTP answer: same method, path and
 * status, logged (whole seconds) while the request was out, give or take skewMs of
 * clock difference; the nearest in time wins and a line explains one request only.
 * Samples with no answer, or no such line, get undefined.
 */
export function matchAccesses(samples: readonly Sample[], entries: readonly AccessEntry[], originEpochMs: number, skewMs = 1_000): (AccessEntry | undefined)[] {
  const used = new Set<AccessEntry>();
  const order = samples.map((_, i) => i).sort((a, b) => samples[a].startMs - samples[b].startMs);
  const found: (AccessEntry | undefined)[] = samples.map(() => undefined);
  for (const i of order) {
    const s = samples[i];
    if (s.status === 0) continue;
    const startMs = originEpochMs + s.startMs;
    const endMs = startMs + s.latencyMs;
    const samePath = s.path === undefined ? ((p: string) => pathPattern(s.endpoint).test(p)) : (p: string) => p === s.path;
    let best: AccessEntry | undefined;
    for (const e of entries) {
      if (used.has(e) || e.status !== s.status || e.method !== methodOf(s.endpoint) || !samePath(e.path)) continue;
      if (e.atMs + 1_000 < startMs - skewMs || e.atMs > endMs + skewMs) continue;
      if (!best || Math.abs(e.atMs + 500 - endMs) < Math.abs(best.atMs + 500 - endMs)) best = e;
    }
    if (best) {
      used.add(best);
      found[i] = best;
    }
  }
  return found;
}

/**
 * The class of one failed request, by the first rule that applies:
 * shed: the driver never sent it (error "shed");
 * cut: it was outstanding at the break (and no frontend log names another node as the
 *   one that failed it), or the frontend's last try went to the broken app node before
 *   that node served again;
 * reset / timeout: no answer, the connection reset, refused or closed / nothing in time;
 * gateway: 502, 503 or 504;
 * app: another 4xx/5xx that an app node answered (or no log line says otherwise);
 * other: the rest (an error code of its own, an answer of the frontend itself).
 */
export function classify(sample: Sample, entry: AccessEntry | undefined, brk: BreakMoments): FailureClass {
  if (sample.error === "shed") return "shed";
  const last = entry?.upstreams[entry.upstreams.length - 1];
  const lastIsBroken = brk.brokenAddress !== undefined && last !== undefined && host(last.address) === brk.brokenAddress;
  const outstanding = sample.startMs <= brk.atMs && sample.startMs + sample.latencyMs > brk.atMs;
  if (outstanding && (sample.status === 0 || !entry || brk.brokenAddress === undefined || lastIsBroken)) return "cut";
  const beforeServing = sample.startMs >= brk.atMs && !(sample.startMs >= brk.servingAgainMs);
  if (lastIsBroken && beforeServing) return "cut";
  if (sample.status === 0) {
    if (sample.error !== undefined && RESET.has(sample.error)) return "reset";
    if (sample.error !== undefined && TIMEOUT.has(sample.error)) return "timeout";
    return "other";
  }
  if (sample.status >= 502 && sample.status <= 504) return "gateway";
  if (sample.status >= 400 && (!entry || entry.upstreams.length > 0)) return "app";
  return "other";
}

/** Who served it, for the report; names maps private addresses to node names. */
export function servedBy(sample: Sample, entry: AccessEntry | undefined, names: ReadonlyMap<string, string>): string {
  if (sample.error === "shed") return "not sent";
  if (sample.status === 0) return `no answer: ${noAnswer(sample.error)}`;
  if (!entry) return "node unknown";
  if (!entry.upstreams.length) return `${entry.frontend} (answered itself)`;
  return `${entry.frontend} -> ${entry.upstreams.map((u) => `${names.get(host(u.address)) ?? u.address} ${u.status}`).join(", ")}`;
}

export function explainFailures(
  failed: readonly Sample[],
  entries: readonly AccessEntry[],
  brk: BreakMoments,
  originEpochMs: number,
  names: ReadonlyMap<string, string>,
): ExplainedFailure[] {
  const matched = matchAccesses(failed, entries, originEpochMs);
  return failed
    .map((sample, i) => ({ sample, atS: (sample.startMs - brk.atMs) / 1000, node: servedBy(sample, matched[i], names), class: classify(sample, matched[i], brk) }))
    .sort((a, b) => a.atS - b.atS);
}

/** "refused/reset by a restarting proxy x9, other x1", largest first ("none" without failures). */
export function classCounts(failures: readonly ExplainedFailure[]): string {
  const counts = new Map<FailureClass, number>();
  for (const f of failures) counts.set(f.class, (counts.get(f.class) ?? 0) + 1);
  const entries = [...counts].sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([c, n]) => `${FAILURE_CLASSES[c]} x${n}`).join(", ") : "none";
}

/** One failure on one line: "+0.31 s GET /api/movie/{id} 502 (fe1 -> app1 502): cut". */
export function failureLine(f: ExplainedFailure): string {
  const what = f.sample.status ? String(f.sample.status) : (f.sample.error ?? "error");
  return `${f.atS >= 0 ? "+" : ""}${f.atS.toFixed(2)} s ${f.sample.endpoint} ${what} (${f.node}): ${f.class}`;
}
