// The real data volume: prepare_db load time, then p50/p90 per endpoint
// without indexes and with the spec's indexes. Figures are printed, not
// asserted: they depend on the machine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TestCluster, startCluster } from "./support/postgres";
import { Installation, RunningServer, install, prepareHost, runBingo, standinEnv, startServer } from "./support/standin";

const EMAIL = "real-size-test@example.com";

const SPEC_INDEXES = [
  "CREATE INDEX ON movies (id)",
  "CREATE INDEX ON customers (id)",
  "CREATE INDEX ON sessions (id)",
  "CREATE INDEX ON movies (year DESC, name, id DESC)",
  "CREATE INDEX ON customers (surname, name, birthday DESC, id DESC)",
  "CREATE INDEX ON sessions (movie_id)",
  "CREATE INDEX ON sessions (customer_id)",
];

/** Deterministic ids spread over each table, so both runs ask for the same rows. */
const pick = (i: number, max: number) => 1 + ((i * 2_654_435_761) % max);

const ENDPOINTS: { name: string; samples: number; path: (i: number) => string }[] = [
  { name: "GET /db_dummy", samples: 20, path: () => "/db_dummy" },
  { name: "GET /api/movie/{id}", samples: 20, path: (i) => `/api/movie/${pick(i, 29_019)}` },
  { name: "GET /api/customer/{id}", samples: 20, path: (i) => `/api/customer/${pick(i, 500_000)}` },
  { name: "GET /api/session/{id}", samples: 20, path: (i) => `/api/session/${pick(i, 5_000_000)}` },
  { name: "GET /api/movie", samples: 3, path: () => "/api/movie" },
  { name: "GET /api/customer", samples: 3, path: () => "/api/customer" },
  { name: "GET /api/session", samples: 2, path: () => "/api/session" },
];

interface Figures {
  p50: number;
  p90: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(server: RunningServer): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>();
  for (const endpoint of ENDPOINTS) {
    const times: number[] = [];
    let errors = 0;
    for (let i = 1; i <= endpoint.samples; i++) {
      const t0 = performance.now();
      const res = await fetch(server.base + endpoint.path(i));
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 200) errors++;
    }
    times.sort((a, b) => a - b);
    figures.set(endpoint.name, { p50: percentile(times, 50), p90: percentile(times, 90), errors });
  }
  return figures;
}

describe("bingo at the real data size", () => {
  let pg: TestCluster;
  let inst: Installation;
  let server: RunningServer | undefined;
  let without: Map<string, Figures>;

  before(() => {
    prepareHost();
    pg = startCluster(55432);
    inst = install(EMAIL, pg.port);
  });
  after(async () => {
    await server?.stop();
    inst?.restore();
    pg?.stop();
  });

  test("prepare_db loads 29,019 movies, 500,000 customers and 5,000,000 sessions", async () => {
    const t0 = Date.now();
    const r = await runBingo(["prepare_db"], standinEnv());
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(r.code, 0, r.stderr);
    console.log(`prepare_db at the real size: ${seconds.toFixed(1)} s`);
    const [counts] = await pg.query(
      "SELECT (SELECT count(*) FROM movies)::int AS movies, (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM sessions)::int AS sessions",
    );
    assert.deepEqual(counts, { movies: 29_019, customers: 500_000, sessions: 5_000_000 });
    const [size] = await pg.query<{ size: string }>("SELECT pg_size_pretty(pg_database_size('postgres')) AS size");
    console.log(`database size: ${size.size}`);
  });

  test("latency per endpoint without indexes", async () => {
    server = await startServer();
    without = await measure(server);
    for (const [name, f] of without) {
      if (name !== "GET /api/session") assert.equal(f.errors, 0, `${name} failed`);
    }
  });

  test("latency per endpoint with the spec's indexes", async () => {
    const t0 = Date.now();
    for (const sql of SPEC_INDEXES) await pg.query(sql);
    await pg.query("ANALYZE");
    console.log(`creating the spec's indexes: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(server);
    const withIdx = await measure(server);
    const rows = [...withIdx].map(([name, f]) => {
      const w = without.get(name) ?? { p50: NaN, p90: NaN, errors: 0 };
      const cell = (x: Figures) => `${x.p50.toFixed(0).padStart(6)} ${x.p90.toFixed(0).padStart(6)} ${String(x.errors).padStart(4)}`;
      return `${name.padEnd(24)} ${cell(w)}   ${cell(f)}`;
    });
    console.log(
      ["", `${"endpoint (ms)".padEnd(24)}   p50    p90  err     p50    p90  err`, `${"".padEnd(24)} --- no indexes ---   -- spec indexes --`, ...rows].join("\n"),
    );
    for (const [name, f] of withIdx) assert.equal(f.errors, 0, `${name} failed with indexes`);
  });

  test("latency of the single-row mix at 90 req/s, just under the per-process limit", async () => {
    assert.ok(server);
    const alone = await singleRowMix(server.base, false);
    console.log(`single-row mix at ${alone.rate.toFixed(0)} req/s: ${alone.summary}`);
    assert.equal(alone.ok, alone.total);
    // What the customer's tester does: the list endpoints, one request at a time, during the mix.
    const withLists = await singleRowMix(server.base, true);
    console.log(`single-row mix at ${withLists.rate.toFixed(0)} req/s with lists served one at a time: ${withLists.summary}`);
    assert.equal(withLists.ok, withLists.total);
  });

  test("peak memory of the process stays well under a 1 GiB container limit", () => {
    assert.ok(server);
    // VmHWM: the highest resident size so far, after every list above was served.
    const status = readFileSync(`/proc/${server.child.pid}/status`, "utf8");
    const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    console.log(`peak resident memory of run_server after the lists: ${peakMb.toFixed(0)} MB`);
    assert.ok(peakMb > 0 && peakMb < 1024, `${peakMb} MB`);
  });
});

const MIX_RATE = 90;
const MIX_SECONDS = 10;
const LISTS = ["/api/customer", "/api/session", "/api/movie"];

/** Open-model load of the single-row endpoints, optionally with a loop of list requests beside it. */
async function singleRowMix(base: string, withLists: boolean): Promise<{ total: number; ok: number; rate: number; summary: string }> {
  const mix = ENDPOINTS.filter((e) => e.samples > 3);
  const total = MIX_RATE * MIX_SECONDS;
  const times: number[] = [];
  const statuses = new Map<number, number>();
  const count = (status: number) => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
  let listsServed = 0;
  let running = true;
  const listLoop = (async () => {
    while (withLists && running) {
      const res = await fetch(base + LISTS[listsServed % LISTS.length]);
      await res.arrayBuffer();
      listsServed++;
    }
  })();
  const pending: Promise<void>[] = [];
  const t0 = Date.now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / MIX_RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = performance.now();
    pending.push(
      fetch(base + mix[i % mix.length].path(i + 100))
        .then(async (res) => {
          await res.arrayBuffer();
          count(res.status);
        })
        .catch(() => count(0))
        .finally(() => void times.push(performance.now() - started)),
    );
  }
  await Promise.all(pending);
  const rate = total / ((Date.now() - t0) / 1000);
  running = false;
  await listLoop;
  times.sort((a, b) => a - b);
  const summary =
    `p50 ${percentile(times, 50).toFixed(0)} ms, p90 ${percentile(times, 90).toFixed(0)} ms, ` +
    `max ${times[times.length - 1].toFixed(0)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}` +
    (withLists ? `, ${listsServed} lists served` : "");
  return { total, ok: statuses.get(200) ?? 0, rate, summary };
}
