// The list endpoints, one request at a time (the customer allows no more than one
// such request in flight), cycling for as long as the load phases run.
import { HttpClient, errorKind } from "../driver/http.js";
import type { LoadContext } from "./context.js";

export const LIST_ENDPOINTS = ["GET /api/movie", "GET /api/customer", "GET /api/session"] as const;
export type ListEndpoint = (typeof LIST_ENDPOINTS)[number];

export const isListEndpoint = (endpoint: string): endpoint is ListEndpoint => (LIST_ENDPOINTS as readonly string[]).includes(endpoint);

/** Called with the first successful answer of each list endpoint, for correctness. */
export type Inspect = (endpoint: ListEndpoint, body: string) => void;

export interface ListLoop {
  /** The phase name the next samples are recorded under. */
  phase: string;
  stop(): Promise<void>;
}

export function startListLoop(ctx: LoadContext, origin: string, inspect: Inspect, phase: string, maxRequests = 1_000): ListLoop {
  // Its own connection and a long timeout: /api/session may take tens of seconds.
  const client = new HttpClient(origin, { connections: 1, timeoutMs: 60_000 });
  const inspected = new Set<string>();
  let stopping = false;
  const loop: ListLoop = {
    phase,
    stop: async () => {
      stopping = true;
      await running;
      await client.close();
    },
  };
  const running = (async () => {
    for (let i = 0; i < maxRequests && !stopping; i++) {
      const endpoint = LIST_ENDPOINTS[i % LIST_ENDPOINTS.length];
      const start = performance.now();
      const sample = { endpoint, path: endpoint.slice(4), phase: loop.phase, startMs: start - ctx.originMs };
      try {
        const res = await client.send("GET", endpoint.slice(4));
        const ok = res.status >= 200 && res.status < 300;
        ctx.log.add({ ...sample, latencyMs: performance.now() - start, status: res.status, ok });
        // A failing endpoint is asked again after a pause, not in a tight loop.
        if (!ok) await new Promise((r) => setTimeout(r, 500));
        if (ok && !inspected.has(endpoint)) {
          inspected.add(endpoint);
          inspect(endpoint, res.body);
        }
      } catch (err) {
        ctx.log.add({ ...sample, latencyMs: performance.now() - start, status: 0, ok: false, error: errorKind(err) });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return loop;
}
