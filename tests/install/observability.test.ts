// Observability of the local installation, checked through Prometheus' HTTP API
// (the frontend's Prometheus, forwarded to http://localhost:9090):
// - a bounded load over several endpoints, with 4xx and 5xx answers, is counted by the
//   driver; every query of the overview dashboard returns a series for every endpoint;
//   the per-endpoint requests, RPS and 5xx ratio in Prometheus agree with the driver's
//   counts within 5 %;
// - stopping an app node fires NodeDown, and the node comes back healthy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { request } from "undici";
import { HTTP_BASE, ROOT, fetchAnswer, onNode, runScript, sleep } from "./support/frontend";

/**
 * The driven load goes to one frontend, not through the balancer: then one mtail counts
 * all of it, and the recording rules' windows are that mtail's scrapes.
 */
const DRIVEN_FRONTEND = { node: "frontend1", address: "172.30.77.20" };
const DRIVEN_BASE = `http://${DRIVEN_FRONTEND.address}`;

const PROMETHEUS = "http://localhost:9090";
const DASHBOARD = path.join(ROOT, "dashboards/bingo-overview.json");
const LOAD_SECONDS = 80;
// Seconds of the window the recording rules average over (rate1m).
const RATE_WINDOW_S = 60;
const TOLERANCE = 0.05;
// How long after an answer its log line may reach mtail's counters (mtail polls every 250 ms).
const LOG_LAG_MS = 500;
// Seconds after the load at which the counters are read: three local scrape intervals.
const AFTER_S = 15;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function promQuery(expr: string, time?: number): Promise<Sample[]> {
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set("time", String(time));
  const res = await request(`${PROMETHEUS}/api/v1/query?${params.toString()}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await res.body.json()) as { status: string; error?: string; data?: { resultType: string; result: Sample[] } };
  assert.equal(body.status, "success", `query ${expr} failed: ${body.error ?? res.statusCode}`);
  assert.equal(body.data?.resultType, "vector", `query ${expr} is not an instant vector`);
  return body.data?.result ?? [];
}

interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Raw samples of a (recorded) series over the last `range`, with their own timestamps. */
async function promSamples(selector: string, range: string, time: number): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: `${selector}[${range}]`, time: String(time) });
  const res = await request(`${PROMETHEUS}/api/v1/query?${params.toString()}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await res.body.json()) as { status: string; error?: string; data?: { result: RangeSeries[] } };
  assert.equal(body.status, "success", `query ${selector}[${range}] failed: ${body.error ?? res.statusCode}`);
  return body.data?.result ?? [];
}

interface Alert {
  labels: Record<string, string>;
  state: string;
}

async function alerts(): Promise<Alert[]> {
  const res = await request(`${PROMETHEUS}/api/v1/alerts`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await res.body.json()) as { data: { alerts: Alert[] } };
  return body.data.alerts;
}

// ------------------------------------------------------------------ the load driver

/** One kind of request: the route pattern nginx logs it under, and how to make one. */
interface Spec {
  method: "GET" | "POST" | "DELETE";
  endpoint: string;
  /** Requests per second (paced, one at a time per spec). */
  rps: number;
  /**
   * The i-th request: its path and JSON body (a string body is sent as is); `refused`
   * sends it with a transfer coding nginx does not implement, which nginx answers with
   * 501 itself (logged under the route pattern), without bothering the app nodes.
   */
  make: (i: number, created: number[]) => { path: string; body?: unknown; refused?: boolean };
}

/** A request nginx refuses with 501 (Transfer-Encoding: gzip); resolves with the status. */
function refusedRequest(method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(80, DRIVEN_FRONTEND.address);
    let data = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    socket.on("connect", () =>
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n`),
    );
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(data)?.[1];
      if (status) resolve(Number(status));
      else reject(new Error(`${method} ${path}: no status line in ${JSON.stringify(data.slice(0, 80))}`));
    });
  });
}

const MOVIES = 29_019;
const CUSTOMERS = 500_000;
const SESSIONS = 5_000_000;
const UNKNOWN_ID = 999_999_999;
const pick = (n: number, i: number) => 1 + ((i * 7919) % n);

// 4xx: every tenth single-row read asks for an id that does not exist (404); every fifth
// /operation sends broken JSON (400); every third POST /api/session has a start time
// that is not a time (400, nothing is inserted).
// 5xx: some single-row reads and POST /api/session are refused by nginx itself (501).
// A 5xx from the app would not do: nginx counts it as a failure of the node, and with
// both nodes failing it answers 502 to everyone for fail_timeout.
// The rows the valid POSTs create are deleted by the DELETE spec (the initial data stays).
const SPECS: Spec[] = [
  { method: "GET", endpoint: "/ping", rps: 4, make: () => ({ path: "/ping" }) },
  { method: "GET", endpoint: "/", rps: 1, make: () => ({ path: "/" }) },
  { method: "GET", endpoint: "/db_dummy", rps: 3, make: () => ({ path: "/db_dummy" }) },
  { method: "GET", endpoint: "/long_dummy", rps: 1, make: () => ({ path: "/long_dummy" }) },
  {
    method: "POST",
    endpoint: "/operation",
    rps: 2,
    make: (i) => ({ path: "/operation", body: i % 5 === 4 ? "{not json" : { operation: 1 + (i % 1000) } }),
  },
  { method: "GET", endpoint: "/api/movie", rps: 1, make: () => ({ path: "/api/movie" }) },
  {
    method: "GET",
    endpoint: "/api/movie/{id}",
    rps: 3,
    make: (i) => ({ path: `/api/movie/${i % 10 === 9 ? UNKNOWN_ID : pick(MOVIES, i)}`, refused: i % 20 === 4 }),
  },
  {
    method: "GET",
    endpoint: "/api/customer/{id}",
    rps: 2,
    make: (i) => ({ path: `/api/customer/${i % 10 === 9 ? UNKNOWN_ID : pick(CUSTOMERS, i)}` }),
  },
  {
    method: "GET",
    endpoint: "/api/session/{id}",
    rps: 2,
    make: (i) => ({ path: `/api/session/${i % 10 === 9 ? UNKNOWN_ID : pick(SESSIONS, i)}`, refused: i % 25 === 7 }),
  },
  {
    method: "POST",
    endpoint: "/api/session",
    rps: 1,
    make: (i) => ({
      path: "/api/session",
      refused: i % 10 === 5,
      body: {
        start_time: i % 3 === 2 ? "yesterday" : "2021-12-09T16:12:52.059188Z",
        customer_id: pick(CUSTOMERS, i),
        movie_id: pick(MOVIES, i),
      },
    }),
  },
  {
    method: "DELETE",
    endpoint: "/api/session/{id}",
    rps: 1,
    // Deletes a row this test created; when none is waiting, an id that does not exist (404).
    make: (_i, created) => ({ path: `/api/session/${created.shift() ?? UNKNOWN_ID}` }),
  },
];

const keyOf = (method: string, endpoint: string) => `${method} ${endpoint}`;

interface Count {
  total: number;
  errors: number;
  /** Completion times (ms since epoch) and whether the answer was a 5xx. */
  done: { at: number; error: boolean }[];
}

interface Driven {
  counts: Map<string, Count>;
  startedAt: number;
  endedAt: number;
  transportErrors: string[];
  unexpected: string[];
}

async function drive(seconds: number): Promise<Driven> {
  const counts = new Map<string, Count>();
  const transportErrors: string[] = [];
  // 5xx answers the driver did not ask for (a node failing during the load): reported only.
  const unexpected: string[] = [];
  const created: number[] = [];
  const startedAt = Date.now();
  const deadline = startedAt + seconds * 1000;
  const runSpec = async (spec: Spec) => {
    const key = keyOf(spec.method, spec.endpoint);
    const count: Count = { total: 0, errors: 0, done: [] };
    counts.set(key, count);
    const period = 1000 / spec.rps;
    // Bounded: at most rps * seconds requests, each with its own timeout.
    for (let i = 0; i < Math.ceil(spec.rps * seconds); i++) {
      const due = startedAt + i * period;
      if (due >= deadline) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const req = spec.make(i, created);
      try {
        const answer = req.refused
          ? { status: await refusedRequest(spec.method, req.path), body: "" }
          : await fetchAnswer(`${DRIVEN_BASE}${req.path}`, { method: spec.method, body: req.body, timeoutMs: 30_000 });
        const error = answer.status >= 500;
        count.total++;
        if (error) count.errors++;
        if (error && !req.refused) unexpected.push(`${key}: ${answer.status}`);
        count.done.push({ at: Date.now(), error });
        if (spec.method === "POST" && spec.endpoint === "/api/session" && answer.status === 201) {
          const id = (JSON.parse(answer.body) as { id?: number | string }).id;
          if (id !== undefined) created.push(Number(id));
        }
      } catch (err) {
        // No answer, so nginx may or may not have logged it: reported, and the test fails.
        transportErrors.push(`${key}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(SPECS.map(runSpec));
  const endedAt = Date.now();
  // Rows still left from the valid POSTs (the DELETE spec trails by a little); counted too.
  const deletes = counts.get(keyOf("DELETE", "/api/session/{id}"));
  for (const id of created.splice(0, 100)) {
    const answer = await fetchAnswer(`${DRIVEN_BASE}/api/session/${id}`, { method: "DELETE", timeoutMs: 10_000 });
    if (deletes) {
      deletes.total++;
      if (answer.status >= 500) deletes.errors++;
    }
  }
  return { counts, startedAt, endedAt, transportErrors, unexpected };
}

/** bingo_requests_total summed by method and endpoint (total and 5xx), now. */
async function counters(time?: number): Promise<Map<string, { total: number; errors: number }>> {
  const out = new Map<string, { total: number; errors: number }>();
  for (const s of await promQuery("sum by (method, endpoint) (bingo_requests_total)", time)) {
    out.set(keyOf(s.metric.method, s.metric.endpoint), { total: Number(s.value[1]), errors: 0 });
  }
  for (const s of await promQuery('sum by (method, endpoint) (bingo_requests_total{code="5xx"})', time)) {
    const key = keyOf(s.metric.method, s.metric.endpoint);
    const entry = out.get(key) ?? { total: 0, errors: 0 };
    entry.errors = Number(s.value[1]);
    out.set(key, entry);
  }
  return out;
}

/**
 * The metrics cannot tell this test's requests from anyone else's, so it waits (up to
 * 10 minutes) until nothing else is sent to the frontend: no new request counted for 20 s.
 */
async function quietFrontend(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const [busy] = await promQuery("sum(increase(bingo_requests_total[20s])) > 0");
    if (!busy) return;
    await sleep(10_000);
  }
  throw new Error("other requests keep reaching the frontend (an acceptance run?): run this test alone");
}

/** Wait until two scrapes in a row see the same counters (mtail has read the whole log). */
async function settledCounters(): Promise<Map<string, { total: number; errors: number }>> {
  let previous = JSON.stringify([...(await counters())]);
  for (let i = 0; i < 30; i++) {
    await sleep(6_000);
    const now = await counters();
    const text = JSON.stringify([...now]);
    if (text === previous) return now;
    previous = text;
  }
  throw new Error("the request counters did not settle within 3 minutes");
}

function within(actual: number, expected: number, what: string): void {
  const diff = Math.abs(actual - expected);
  assert.ok(
    diff <= TOLERANCE * Math.max(Math.abs(expected), 1e-9) || diff < 1e-9,
    `${what}: Prometheus says ${actual.toFixed(4)}, the driver counted ${expected.toFixed(4)} (more than 5% apart)`,
  );
}

/** Within 5 % of some value in [lo, hi] (the driver's figure, uncertain at the window's edges). */
function withinRange(actual: number, [lo, hi]: [number, number], what: string): void {
  const ok = actual >= lo * (1 - TOLERANCE) - 1e-9 && actual <= hi * (1 + TOLERANCE) + 1e-9;
  assert.ok(ok, `${what}: Prometheus says ${actual.toFixed(4)}, the driver counted ${lo.toFixed(4)}..${hi.toFixed(4)} (more than 5% off)`);
}

/** Every `expr` of the dashboard's panels (rows hold none). */
function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    panels: { title: string; targets?: { expr?: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? "")).filter((e) => e !== "");
  assert.ok(exprs.length >= 10, `the dashboard has only ${exprs.length} queries`);
  return exprs;
}

test("per-endpoint requests, RPS, 5xx ratio and every dashboard query agree with a driven load", { timeout: 1_200_000 }, async (t) => {
  assert.equal((await promQuery('up{job="mtail"}'))[0]?.value[1], "1", "Prometheus does not scrape mtail on the frontend");
  await quietFrontend();
  const before = await settledCounters();
  const driven = await drive(LOAD_SECONDS);
  assert.deepEqual(driven.transportErrors, [], "some requests got no answer at all");
  t.diagnostic(`5xx the driver did not ask for: ${driven.unexpected.length}${driven.unexpected.length ? ` (${driven.unexpected.slice(0, 5).join(", ")} ...)` : ""}`);
  // Rate windows that ended during the load (checked below) must be evaluated first.
  // The counters as scraped AFTER_S after the last answer (mtail has read the log by then;
  // anything sent later by someone else is left out).
  const afterAt = driven.endedAt / 1000 + AFTER_S;
  await sleep(Math.max(0, afterAt * 1000 - Date.now()) + 6_000);
  const after = await counters(afterAt);
  const foreign = [...after].reduce((sum, [key, a]) => sum + a.total - (before.get(key)?.total ?? 0), 0) -
    [...driven.counts.values()].reduce((sum, c) => sum + c.total, 0);
  if (foreign > 0) t.diagnostic(`${foreign} requests reached the frontend besides the driver's: the comparison below is off by them`);

  const report: string[] = [];
  await t.test("request and 5xx counts per endpoint agree", () => {
    const checks: (() => void)[] = [];
    for (const [key, count] of driven.counts) {
      if (count.total === 0) continue;
      const b = before.get(key) ?? { total: 0, errors: 0 };
      const a = after.get(key) ?? { total: Number.NaN, errors: Number.NaN };
      const total = a.total - b.total;
      const errors = a.errors - b.errors;
      report.push(`${key}: driver ${count.total} requests / ${count.errors} 5xx, Prometheus ${total} / ${errors}`);
      checks.push(() => {
        within(total, count.total, `${key} requests`);
        within(errors / total, count.errors / count.total, `${key} 5xx ratio`);
      });
    }
    t.diagnostic(report.join("\n"));
    for (const check of checks) check();
  });

  await t.test("the recording rules' RPS and 5xx ratio agree with the driver's over their window", async () => {
    // The last evaluation of the recording rules with a full minute of load behind it.
    const lastFull = driven.endedAt / 1000 - 2;
    const lines: string[] = [];
    const checks: (() => void)[] = [];
    for (const [key, count] of driven.counts) {
      const [method, endpoint] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
      const sel = `{method="${method}",endpoint="${endpoint}"}`;
      const rateSeries = await promSamples(`endpoint:bingo_requests:rate1m${sel}`, "30s", lastFull);
      assert.equal(rateSeries.length, 1, `endpoint:bingo_requests:rate1m has no series for ${key}`);
      const [evalAt, rateText] = rateSeries[0].values[rateSeries[0].values.length - 1];
      assert.ok(evalAt * 1000 - RATE_WINDOW_S * 1000 >= driven.startedAt, `no evaluation of ${key} with a full window of load`);
      // rate() over the window uses the mtail scrapes inside it: the increase between the
      // first and the last of them, per second of the time between them. The driver's
      // figures are taken over exactly that interval.
      const scrapes = await promSamples(`up{job="mtail",instance="${DRIVEN_FRONTEND.node}"}`, `${RATE_WINDOW_S}s`, evalAt);
      assert.equal(scrapes.length, 1, "no mtail scrapes in the window");
      const times = scrapes[0].values.map(([at]) => at * 1000);
      const [first, last] = [times[0], times[times.length - 1]];
      assert.ok(last - first >= (RATE_WINDOW_S / 2) * 1000, `too few mtail scrapes in the window: ${times.length}`);
      // An answer that completed within LOG_LAG_MS of a scrape may be counted on either side
      // of it (nginx writes the line, mtail polls the file): the driver's figures are a range.
      const seconds = (last - first) / 1000;
      const sure = count.done.filter((d) => d.at > first + LOG_LAG_MS && d.at <= last - LOG_LAG_MS);
      const edge = count.done.filter((d) => Math.abs(d.at - first) <= LOG_LAG_MS || Math.abs(d.at - last) <= LOG_LAG_MS);
      const sureErrors = sure.filter((d) => d.error).length;
      const edgeErrors = edge.filter((d) => d.error).length;
      const rateRange: [number, number] = [sure.length / seconds, (sure.length + edge.length) / seconds];
      const ratioRange: [number, number] =
        sure.length + edge.length === 0
          ? [0, 0]
          : [sureErrors / (sure.length + edge.length), Math.min(1, (sureErrors + edgeErrors) / Math.max(sure.length, 1))];
      const ratioSeries = await promSamples(`endpoint:bingo_errors:ratio_rate1m${sel}`, "30s", lastFull);
      assert.equal(ratioSeries.length, 1, `endpoint:bingo_errors:ratio_rate1m has no series for ${key}`);
      const ratioSample = ratioSeries[0].values.find(([at]) => at === evalAt) ?? ratioSeries[0].values[ratioSeries[0].values.length - 1];
      const promRatio = Number(ratioSample[1]);
      const span = ([lo, hi]: [number, number], digits: number) =>
        lo === hi ? lo.toFixed(digits) : `${lo.toFixed(digits)}..${hi.toFixed(digits)}`;
      lines.push(
        `${key}: rate1m ${Number(rateText).toFixed(3)}/s vs driver ${span(rateRange, 3)}/s; ` +
          `5xx ratio ${promRatio.toFixed(4)} vs driver ${span(ratioRange, 4)}`,
      );
      checks.push(() => {
        withinRange(Number(rateText), rateRange, `${key} endpoint:bingo_requests:rate1m`);
        withinRange(promRatio, ratioRange, `${key} endpoint:bingo_errors:ratio_rate1m`);
      });
    }
    t.diagnostic(lines.join("\n"));
    for (const check of checks) check();
  });

  await t.test("every dashboard query returns a series for each endpoint", async () => {
    // Right after the load, while the 1-minute windows still hold it.
    const endpoints = [...driven.counts.entries()].filter(([, c]) => c.total > 0).map(([k]) => k);
    for (const expr of dashboardExprs()) {
      const result = await promQuery(expr);
      assert.ok(result.length > 0, `dashboard query returns nothing: ${expr}`);
      if (!result.some((s) => "endpoint" in s.metric)) continue;
      // A query limited to some endpoints (endpoint="...") is expected to cover only those.
      const only = [...expr.matchAll(/endpoint="([^"]+)"/g)].map((m) => m[1]);
      const got = new Set(result.map((s) => keyOf(s.metric.method, s.metric.endpoint)));
      for (const key of endpoints) {
        const endpoint = key.slice(key.indexOf(" ") + 1);
        if (only.length > 0 && !only.includes(endpoint)) continue;
        assert.ok(got.has(key), `dashboard query has no series for ${key}: ${expr}`);
      }
    }
  });
});

test("stopping an app node fires NodeDown; the node comes back healthy", { timeout: 600_000 }, async (t) => {
  const NODE = "app2";
  const firing = async () =>
    (await alerts()).some((a) => a.labels.alertname === "NodeDown" && a.labels.instance === NODE && a.state === "firing");
  assert.equal(await firing(), false, `NodeDown already fires for ${NODE}`);
  await runScript("scripts/local-nodes.sh", ["down", NODE, "stop"], 120_000);
  const stoppedAt = Date.now();
  try {
    let fired = false;
    for (let i = 0; i < 60 && !fired; i++) {
      await sleep(2_000);
      fired = await firing();
    }
    assert.ok(fired, `NodeDown did not fire for ${NODE} within 2 minutes`);
    t.diagnostic(`NodeDown fired ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s after ${NODE} stopped`);
  } finally {
    await runScript("scripts/local-nodes.sh", ["up", NODE], 300_000);
  }
  const startedAt = Date.now();
  // Healthy again: every bingo container healthy, pong through the frontend, the alert resolved.
  let healthy = false;
  for (let i = 0; i < 90 && !healthy; i++) {
    await sleep(2_000);
    try {
      const status = await onNode(NODE, "sudo docker inspect -f '{{.State.Health.Status}}' bingo-1 bingo-2", 20_000);
      const ping = await fetchAnswer(`${HTTP_BASE}/ping`, { timeoutMs: 5_000 });
      healthy = status.split(/\s+/).every((s) => s === "healthy") && ping.status === 200 && ping.body === "pong" && !(await firing());
    } catch {
      healthy = false;
    }
  }
  assert.ok(healthy, `${NODE} did not come back healthy (containers, /ping, NodeDown resolved) within 3 minutes`);
  t.diagnostic(`${NODE} healthy and NodeDown resolved ${((Date.now() - startedAt) / 1000).toFixed(0)} s after it was started again`);
});
