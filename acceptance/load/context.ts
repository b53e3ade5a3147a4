// What every load job needs: the client, the log to record into, the id ranges of the
// initial data, and the clock origin all timestamps in the report are relative to.
import { HttpClient, errorKind, type Exchange } from "../driver/http.js";
import { SampleLog } from "../driver/samples.js";
import type { MaxIds } from "../target/database.js";

export interface LoadContext {
  client: HttpClient;
  log: SampleLog;
  /** performance.now() at the start of the suite: sample times are relative to it. */
  originMs: number;
  /** Date.now() at the same moment, to turn sample times into wall-clock time. */
  originEpochMs: number;
  ranges: MaxIds;
  /** Sessions created by the suite and not yet deleted (deleted again at the end). */
  created: Set<number>;
  /** Ages (s) and latencies (ms) of /long_dummy answers, for the caching check. */
  longDummy: { ageS: number; latencyMs: number; cache: string }[];
}

export function randomId(max: number): number {
  return 1 + Math.floor(Math.random() * Math.max(1, max));
}

/** Server time of an answer in epoch ms: body server_time, X-Server-Time, else Date. */
export function serverTimeMs(res: Exchange): number {
  const header = res.headers["x-server-time"];
  if (header && !Number.isNaN(Date.parse(header))) return Date.parse(header);
  if (res.headers["content-type"]?.includes("json")) {
    try {
      const body = JSON.parse(res.body) as { server_time?: unknown };
      if (typeof body.server_time === "string" && !Number.isNaN(Date.parse(body.server_time))) return Date.parse(body.server_time);
    } catch {
      /* not JSON after all */
    }
  }
  const date = res.headers.date;
  return date ? Date.parse(date) : Number.NaN;
}

/**
 * Sends one request that was due at dueMs and records it; latency runs from the due
 * time. Answers outside 2xx count as errors. Returns the answer, if any.
 */
export async function timed(
  ctx: LoadContext,
  phase: string,
  endpoint: string,
  dueMs: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<Exchange | undefined> {
  try {
    const res = await ctx.client.send(method, path, body);
    const ok = res.status >= 200 && res.status < 300;
    ctx.log.add({ endpoint, path, phase, startMs: dueMs - ctx.originMs, latencyMs: performance.now() - dueMs, status: res.status, ok });
    return res;
  } catch (err) {
    ctx.log.add({ endpoint, path, phase, startMs: dueMs - ctx.originMs, latencyMs: performance.now() - dueMs, status: 0, ok: false, error: errorKind(err) });
    return undefined;
  }
}
