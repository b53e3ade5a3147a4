// The endpoint mix of requirements.md that carries the arrival rate: the five fast
// endpoints, /long_dummy, and session writes (POST, then DELETE of what it created).
// The list endpoints are not in it: they run one at a time in their own loop.
import type { Job } from "../driver/open-load.js";
import type { WriteLedger } from "../drills/db-writes.js";
import { randomId, serverTimeMs, timed, type LoadContext } from "./context.js";

export const FAST_ENDPOINTS = [
  "POST /operation",
  "GET /db_dummy",
  "GET /api/movie/{id}",
  "GET /api/customer/{id}",
  "GET /api/session/{id}",
] as const;
export const LONG_DUMMY = "GET /long_dummy";
export const SESSION_POST = "POST /api/session";
export const SESSION_DELETE = "DELETE /api/session/{id}";
/**
 * The endpoints that carry one arrival each (a shed arrival is recorded as "shed"). The
 * DELETE is not one: it follows a POST that created a session, on top of the offered rate.
 */
export const ARRIVAL_ENDPOINTS: readonly string[] = [...FAST_ENDPOINTS, LONG_DUMMY, SESSION_POST, "shed"];

type Slot = (ctx: LoadContext, phase: string, due: number) => Promise<void>;

/** The reads by id, each of a random id of the initial data. */
export const ID_READS: readonly (readonly [endpoint: string, path: (ctx: LoadContext) => string])[] = [
  ["GET /api/movie/{id}", (ctx) => `/api/movie/${randomId(ctx.ranges.movies)}`],
  ["GET /api/customer/{id}", (ctx) => `/api/customer/${randomId(ctx.ranges.customers)}`],
  ["GET /api/session/{id}", (ctx) => `/api/session/${randomId(ctx.ranges.sessions)}`],
];

const idRead =
  ([endpoint, path]: (typeof ID_READS)[number], label = endpoint): Slot =>
  async (ctx, phase, due) =>
    void (await timed(ctx, phase, label, due, "GET", path(ctx)));

/** The mix's session writes (no ledger). */
const sessionWrites = sessionWrite();

const slots: [number, Slot][] = [
  [20, async (ctx, phase, due) => void (await timed(ctx, phase, "POST /operation", due, "POST", "/operation", { operation: randomId(1000) }))],
  [20, async (ctx, phase, due) => void (await timed(ctx, phase, "GET /db_dummy", due, "GET", "/db_dummy"))],
  ...ID_READS.map((read): [number, Slot] => [20, idRead(read)]),
  [5, longDummy],
  [5, sessionWrites],
];
async function longDummy(ctx: LoadContext, phase: string, due: number): Promise<void> {
  const res = await timed(ctx, phase, LONG_DUMMY, due, "GET", "/long_dummy");
  if (res && res.status === 200) {
    const age = (Date.now() - serverTimeMs(res)) / 1000;
    ctx.longDummy.push({ ageS: age, latencyMs: performance.now() - due, cache: res.headers["x-cache-status"] ?? "" });
  }
}

/** The id a POST /api/session answer names ({id}, [{id}] or a bare number). */
export function createdId(body: string): number | undefined {
  try {
    const data: unknown = JSON.parse(body);
    const first: unknown = Array.isArray(data) ? data[0] : data;
    if (typeof first === "number") return first;
    const id = (first as { id?: unknown } | null)?.id;
    return typeof id === "number" ? id : typeof id === "string" && /^\d+$/.test(id) ? Number(id) : undefined;
  } catch {
    return undefined;
  }
}

export function newSessionBody(ctx: LoadContext): Record<string, unknown> {
  return { start_time: new Date().toISOString(), customer_id: randomId(ctx.ranges.customers), movie_id: randomId(ctx.ranges.movies) };
}

/** Only rows the suite created may be deleted: never an id of the initial data. */
export async function deleteCreated(ctx: LoadContext, phase: string, id: number, due = performance.now()): Promise<boolean> {
  if (!(id > ctx.ranges.sessions)) throw new Error(`refusing to delete session ${id}: it belongs to the initial data`);
  const res = await timed(ctx, phase, SESSION_DELETE, due, "DELETE", `/api/session/${id}`);
  if (res && (res.status === 200 || res.status === 204 || res.status === 404)) ctx.created.delete(id);
  return Boolean(res && res.status >= 200 && res.status < 300);
}

/**
 * POST /api/session, then DELETE of what it created. With a ledger (a DB drill) every
 * acknowledged id is recorded there, and the ones it keeps are not deleted: the drill
 * looks for them once the cluster is whole (the suite deletes them at its end).
 */
function sessionWrite(ledger?: WriteLedger): Slot {
  return async (ctx, phase, due) => {
    const res = await timed(ctx, phase, SESSION_POST, due, "POST", "/api/session", newSessionBody(ctx));
    if (!res || res.status < 200 || res.status >= 300) return;
    const id = createdId(res.body);
    if (id === undefined) return;
    ctx.created.add(id);
    if (ledger?.acknowledge(id, performance.now() - ctx.originMs)) return;
    const deleted = await deleteCreated(ctx, phase, id);
    ledger?.deleted(id, deleted);
  };
}

/** A job for the open-model driver that picks one of the slots by their weights. */
function weightedJob(ctx: LoadContext, phase: string, table: readonly [number, Slot][]): Job {
  const total = table.reduce((sum, [w]) => sum + w, 0);
  return async (due) => {
    let pick = Math.random() * total;
    for (const [weight, slot] of table) {
      pick -= weight;
      if (pick < 0) return slot(ctx, phase, due);
    }
    return table[0][1](ctx, phase, due);
  };
}

/** The mix of requirements.md, by its weights; with a ledger, its session writes are recorded there. */
export function mixJob(ctx: LoadContext, phase: string, ledger?: WriteLedger): Job {
  return weightedJob(ctx, phase, ledger ? slots.map(([weight, slot]): [number, Slot] => [weight, slot === sessionWrites ? sessionWrite(ledger) : slot]) : slots);
}

/** The same mix without /long_dummy, which the frontend caches: every request reaches an app node. */
export function uncachedMixJob(ctx: LoadContext, phase: string): Job {
  return weightedJob(ctx, phase, slots.filter(([, slot]) => slot !== longDummy));
}

/** The reads by id in equal parts, each endpoint recorded as label(endpoint). */
export function idReadsJob(ctx: LoadContext, phase: string, label: (endpoint: string) => string = (e) => e): Job {
  return weightedJob(ctx, phase, ID_READS.map((read) => [1, idRead(read, label(read[0]))]));
}
