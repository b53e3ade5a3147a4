// The installation puts pgbouncer in transaction pooling mode between the
// stand-in and PostgreSQL: prepare_db and every database endpoint must work
// through it, with several clients sharing few server connections.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, startCluster } from "./support/postgres";
import { TestBouncer, startBouncer } from "./support/pgbouncer";
import { Installation, RunningServer, install, prepareHost, runBingo, standinEnv, startServer } from "./support/standin";

const EMAIL = "pgbouncer-test@example.com";

async function status(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(base + path, init);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("bingo through pgbouncer in transaction pooling mode", () => {
  let pg: TestCluster;
  let bouncer: TestBouncer;
  let inst: Installation;
  let server: RunningServer | undefined;

  before(() => {
    prepareHost();
    pg = startCluster(55432);
    bouncer = startBouncer(pg);
    inst = install(EMAIL, bouncer.port);
  });
  after(async () => {
    await server?.stop();
    inst?.restore();
    bouncer?.stop();
    pg?.stop();
  });

  test("prepare_db loads through pgbouncer, and again leaves the data untouched", async () => {
    const first = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: "0.002" }));
    assert.equal(first.code, 0, first.stderr);
    const again = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: "0.002" }));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already prepared/);
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM sessions"), [{ n: 10_000 }]);
  });

  test("every database endpoint answers under concurrent use", async () => {
    server = await startServer();
    const base = server.base;
    const paths = ["/db_dummy", "/api/movie/7", "/api/customer/11", "/api/session/13", "/api/movie", "/api/customer", "/api/session"];
    const rounds = 3;
    const results = await Promise.all(
      Array.from({ length: rounds }, () => paths.map((p) => status(base, p).then((r) => [p, r.status] as const))).flat(),
    );
    assert.deepEqual(
      results.filter(([, s]) => s !== 200),
      [],
    );

    const created = await status(base, "/api/session", {
      method: "POST",
      body: JSON.stringify({ start_time: "2021-12-09T16:12:52.059188Z", customer_id: 100, movie_id: 5 }),
    });
    assert.equal(created.status, 201);
    const id = created.json.id as number;
    assert.ok(id > 10_000);
    assert.equal((await status(base, `/api/session/${id}`)).status, 200);
    assert.equal((await status(base, `/api/session/${id}`, { method: "DELETE" })).status, 200);
  });

  test("the list's statement limit stays inside its transaction", async () => {
    // SET LOCAL ends with the transaction; a leaked session setting would reach other pgbouncer clients.
    const [setting] = await pg.query<{ statement_timeout: string }>("SHOW statement_timeout");
    assert.equal(setting.statement_timeout, "0");
    const viaBouncer = await pgQueryThrough(bouncer.port, "SHOW statement_timeout");
    assert.equal(viaBouncer, "0");
  });
});

async function pgQueryThrough(port: number, sql: string): Promise<string> {
  const { default: pgDriver } = await import("pg");
  const client = new pgDriver.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await client.connect();
  try {
    const result = await client.query<Record<string, string>>(sql);
    return Object.values(result.rows[0])[0];
  } finally {
    await client.end();
  }
}
