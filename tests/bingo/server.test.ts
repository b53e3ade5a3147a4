// run_server against a real PostgreSQL loaded by prepare_db (1% of the real
// size): every endpoint answers what the database holds, with the server time,
// bad input changes nothing, and the per-process limit answers 429.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster } from "./support/postgres";
import { preparedInstallation } from "./support/prepared";
import { Installation, RunningServer, configYaml, readLogLines, runBingo, standinEnv, startServer } from "./support/standin";

const EMAIL = "server-test@example.com";
const SCALE = "0.01";

interface Timed {
  status: number;
  body: string;
  json: Record<string, unknown>;
  serverTime: string | null;
  ms: number;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(base + path, init);
  const body = await res.text();
  const ms = performance.now() - t0;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // text/plain endpoints
  }
  return { status: res.status, body, json, serverTime: res.headers.get("x-server-time"), ms };
}

function assertFresh(r: Timed): void {
  assert.ok(r.serverTime, "X-Server-Time header");
  assert.ok(Math.abs(Date.parse(r.serverTime) - Date.now()) < 5000, "server time is now");
  if (r.body.startsWith("{")) assert.equal(r.json.server_time, r.serverTime);
}

describe("bingo run_server", () => {
  let pg: TestCluster;
  let inst: Installation;
  let server: RunningServer;

  before(async () => {
    let loaded: string;
    ({ pg, inst, stdout: loaded } = await preparedInstallation(EMAIL, SCALE));
    assert.match(loaded, /290 movies, 5000 customers, 50000 sessions/);
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    inst?.restore();
    pg?.stop();
  });

  test("starts fast when the probe is refused, printing both codes", () => {
    assert.ok(server.startMs < 5000, `start took ${server.startMs} ms`);
    assert.match(server.stdout(), /code: google_dns_is_not_http[\s\S]*code: yoohoo_server_launched/);
    console.log(`start-up with a refused probe: ${server.startMs} ms`);
  });

  test("GET / is the congratulation page with its code", async () => {
    const r = await call(server.base, "/");
    assert.equal(r.status, 200);
    assert.match(r.body, /code: index_page_is_awesome\n-+\n$/);
    assertFresh(r);
  });

  test("GET /ping answers pong", async () => {
    const r = await call(server.base, "/ping");
    assert.deepEqual([r.status, r.body], [200, "pong"]);
  });

  test("/long_dummy takes more than a second, /db_dummy sleeps 100 ms in the database", async () => {
    const slow = await call(server.base, "/long_dummy");
    assert.equal(slow.status, 200);
    assert.ok(slow.ms > 1000, `${slow.ms} ms`);
    assertFresh(slow);
    const db = await call(server.base, "/db_dummy");
    assert.equal(db.status, 200);
    assert.ok(db.ms >= 100, `${db.ms} ms`);
    assertFresh(db);
  });

  test("single rows match the database", async () => {
    const [movie] = await pg.query("SELECT id::int, name, year, duration FROM movies WHERE id = 77");
    const m = await call(server.base, "/api/movie/77");
    assert.equal(m.status, 200);
    assertFresh(m);
    assert.deepEqual({ ...m.json, server_time: undefined }, { ...movie, server_time: undefined });

    const [customer] = await pg.query("SELECT id::int, name, surname, to_char(birthday, 'YYYY-MM-DD') AS birthday, email FROM customers WHERE id = 4242");
    const c = await call(server.base, "/api/customer/4242");
    assert.deepEqual({ ...c.json, server_time: undefined }, { ...customer, server_time: undefined });

    const [session] = await pg.query<{ customer_id: number; movie_id: number }>("SELECT customer_id, movie_id FROM sessions WHERE id = 31337");
    const s = await call(server.base, "/api/session/31337");
    assert.equal(s.status, 200);
    assert.equal((s.json.customer as { id: number }).id, session.customer_id);
    assert.equal((s.json.movie as { id: number }).id, session.movie_id);
    assert.match(String(s.json.start_time), /^2021-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  test("lists come in the spec's order with every row up to the limit", async () => {
    const movies = await call(server.base, "/api/movie");
    assert.equal(movies.json.count, 290);
    const years = (movies.json.items as { year: number }[]).map((m) => m.year);
    assert.deepEqual(years, [...years].sort((a, b) => b - a));
    const customers = await call(server.base, "/api/customer");
    assert.equal(customers.json.count, 5000);
    const sessions = await call(server.base, "/api/session");
    assert.equal(sessions.status, 200);
    assert.equal(sessions.json.count, 50000);
    assertFresh(sessions);
    const sessionYears = (sessions.json.items as { movie: { year: number } }[]).map((x) => x.movie.year);
    assert.deepEqual(sessionYears, [...sessionYears].sort((a, b) => b - a));

    // A list item reads exactly like the single-row answer for its id.
    for (const [list, path] of [
      [movies, "/api/movie"],
      [customers, "/api/customer"],
      [sessions, "/api/session"],
    ] as const) {
      const items = list.json.items as Record<string, unknown>[];
      assert.equal(items.length, list.json.count);
      for (const item of [items[0], items[items.length >> 1], items[items.length - 1]]) {
        const single = await call(server.base, `${path}/${String(item.id)}`);
        assert.deepEqual({ ...single.json, server_time: undefined }, { ...item, server_time: undefined }, path);
      }
    }
  });

  test("POST /api/session inserts a row after the initial ids, DELETE removes it", async () => {
    const body = { start_time: "2021-12-09T16:12:52.059188Z", customer_id: 100, movie_id: 50 };
    const created = await call(server.base, "/api/session", { method: "POST", body: JSON.stringify(body) });
    assert.equal(created.status, 201, created.body);
    const id = created.json.id as number;
    assert.ok(id > 50000);
    assert.equal(created.json.start_time, body.start_time);
    const [row] = await pg.query("SELECT customer_id, movie_id FROM sessions WHERE id = $1", [id]);
    assert.deepEqual(row, { customer_id: 100, movie_id: 50 });
    const deleted = await call(server.base, `/api/session/${id}`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal((await pg.query("SELECT 1 FROM sessions WHERE id = $1", [id])).length, 0);
    const again = await call(server.base, `/api/session/${id}`, { method: "DELETE" });
    assert.equal(again.status, 404);
    assert.match(String(again.json.error), /not found/);
  });

  test("bad input gets a 4xx with a clear message and changes nothing", async () => {
    const before = await pg.query("SELECT count(*)::int AS n, max(id)::int AS max FROM sessions");
    const cases: [string, RequestInit, number, RegExp][] = [
      ["/api/session", { method: "POST", body: "{not json" }, 400, /not valid JSON/],
      ["/api/session", { method: "POST", body: '{"start_time":"yesterday","customer_id":1,"movie_id":1}' }, 400, /start_time/],
      ["/api/session", { method: "POST", body: '{"start_time":"2021-12-09T16:12:52Z","customer_id":"1","movie_id":1}' }, 400, /customer_id/],
      ["/api/session", { method: "POST", body: '{"start_time":"2021-12-09T16:12:52Z","customer_id":999999,"movie_id":1}' }, 422, /does not exist/],
      ["/api/session/abc", { method: "DELETE" }, 400, /positive integer/],
      ["/api/session/99999999", { method: "DELETE" }, 404, /not found/],
      ["/api/movie/99999999", {}, 404, /movie 99999999 not found/],
      ["/api/customer/-1", {}, 400, /positive integer/],
      ["/api/movie", { method: "POST", body: "{}" }, 405, /not allowed/],
      ["/operation", { method: "GET" }, 405, /not allowed/],
      ["/operation", { method: "POST", body: '{"operation":"x"}' }, 400, /operation/],
      ["/nowhere", {}, 404, /no such endpoint/],
    ];
    for (const [path, init, status, message] of cases) {
      const r = await call(server.base, path, init);
      assert.equal(r.status, status, `${init.method ?? "GET"} ${path}: ${r.body}`);
      assert.match(String(r.json.error), message);
      assertFresh(r);
    }
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n, max(id)::int AS max FROM sessions"), before);
  });

  test("small operations are harmless and echoed", async () => {
    const r = await call(server.base, "/operation", { method: "POST", body: '{"operation": 42}' });
    assert.equal(r.status, 200);
    assert.equal(r.json.operation, 42);
    assert.equal((await call(server.base, "/ping")).body, "pong");
  });

  test("about 100 requests per second per process, 429 beyond", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a full bucket
    const seconds = 3;
    const offeredPerSecond = 250;
    const statuses: number[] = [];
    const pending: Promise<void>[] = [];
    const t0 = Date.now();
    for (let i = 0; i < seconds * offeredPerSecond; i++) {
      const due = t0 + (i * 1000) / offeredPerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(call(server.base, "/ping").then((r) => void statuses.push(r.status)));
    }
    await Promise.all(pending);
    const elapsed = (Date.now() - t0) / 1000;
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    const rate = (ok - 100) / elapsed; // minus the initial burst of the bucket
    console.log(`offered ${offeredPerSecond} req/s for ${elapsed.toFixed(1)} s: ${ok} ok, ${limited} x 429, sustained ${rate.toFixed(0)} req/s`);
    assert.equal(ok + limited, statuses.length);
    assert.ok(limited > 0);
    assert.ok(rate > 70 && rate < 130, `sustained ${rate} req/s`);
    const r = await call(server.base, "/ping");
    if (r.status === 429) assert.equal(r.body, "Too many requests");
  });

  test("a list query past the 20 s app-side limit is canceled with a clear 500", async () => {
    // Another session holds the table, so the list waits until the limit cancels it.
    const { default: pgDriver } = await import("pg");
    const locker = new pgDriver.Client({ host: "127.0.0.1", port: pg.port, user: "postgres", database: "postgres" });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
      const r = await call(server.base, "/api/session");
      assert.equal(r.status, 500);
      assert.match(String(r.json.error), /longer than the 20 s limit/);
      assert.ok(r.ms >= 19_000 && r.ms < 30_000, `${r.ms} ms`);
      assertFresh(r);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    assert.equal((await call(server.base, "/api/movie/1")).status, 200);
  });

  test("every request is logged as a verbose JSON line", () => {
    const lines = readLogLines(inst.logFile);
    const requests = lines.filter((l) => l.msg === "request handled");
    assert.ok(requests.length > 100);
    assert.ok(requests.some((l) => l.url === "/api/movie/77" && l.status === 200));
    const size = JSON.stringify(requests[0]).length;
    assert.ok(size > 1000, `a line carries a large context (${size} bytes)`);
  });

  test("database connections lost under it (a restart, a failover) are replaced", async () => {
    for (let i = 1; i <= 5; i++) assert.equal((await call(server.base, `/api/movie/${i}`)).status, 200);
    const killed = await pg.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bingo'");
    assert.ok(killed.length > 0, "the stand-in held connections");
    await new Promise((r) => setTimeout(r, 200));
    const statuses: number[] = [];
    for (let i = 1; i <= 20; i++) statuses.push((await call(server.base, `/api/customer/${i}`)).status);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
  });

  test("the port stays the same across restarts and listens on all interfaces", async () => {
    const first = server.port;
    await server.stop();
    server = await startServer();
    assert.equal(server.port, first);
    const r = await call(`http://127.0.0.2:${server.port}`, "/ping");
    assert.equal(r.status, 200);
  });

  test("prepare_db again leaves the initial data untouched", async () => {
    await pg.query("UPDATE movies SET name = 'kept' WHERE id = 1");
    const r = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: SCALE }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /already prepared/);
    assert.deepEqual(await pg.query("SELECT name FROM movies WHERE id = 1"), [{ name: "kept" }]);
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM movies"), [{ n: 290 }]);
  });

  test("prepare_db refuses tables that hold rows without a completed load", async () => {
    await pg.query("CREATE DATABASE partial");
    await pg.query("CREATE TABLE movies (id bigint, name varchar(256), year int, duration int)", [], "partial");
    await pg.query("INSERT INTO movies VALUES (1, 'orphan', 2000, 90)", [], "partial");
    inst.writeConfig(configYaml(EMAIL, pg.port, "partial"));
    const r = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: SCALE }));
    inst.writeConfig(configYaml(EMAIL, pg.port));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already hold 1\/0\/0 rows but no completed load/);
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM movies", [], "partial"), [{ n: 1 }]);
  });
});
