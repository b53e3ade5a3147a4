// A database connection that dies under the stand-in (a failover, a restarted pgbouncer)
// fails the requests it was serving, as the real binary's do, and nothing more: the
// process keeps serving on new connections.
import { createServer, connect, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { TestCluster, startCluster } from "./support/postgres";
import { Installation, RunningServer, install, prepareHost, runBingo, standinEnv, startServer } from "./support/standin";

const EMAIL = "connection-loss-test@example.com";
const PROXY_PORT = 55434;

/** A TCP relay to PostgreSQL that can cut every connection at once, as a proxy marking its server down does. */
function startRelay(pgPort: number): { server: Server; cutAll: () => void } {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(pgPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(PROXY_PORT, "127.0.0.1");
  return { server, cutAll: () => sockets.forEach((s) => s.destroy()) };
}

describe("bingo when its database connections die", () => {
  let pg: TestCluster;
  let inst: Installation;
  let server: RunningServer | undefined;
  let relay: ReturnType<typeof startRelay>;

  before(async () => {
    prepareHost();
    pg = startCluster(55433);
    relay = startRelay(pg.port);
    inst = install(EMAIL, PROXY_PORT);
    const prepared = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: "0.002" }));
    assert.equal(prepared.code, 0, prepared.stderr);
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    inst?.restore();
    relay?.server.close();
    pg?.stop();
  });

  test("requests in flight fail, the process lives on and answers from new connections", async () => {
    const base = server!.base;
    // Busy and idle pooled connections both, then every one of them cut without a word.
    const inFlight = Array.from({ length: 8 }, () => fetch(`${base}/db_dummy`).then((r) => r.status, () => 0));
    await new Promise((r) => setTimeout(r, 30));
    relay.cutAll();
    const statuses = await Promise.all(inFlight);
    assert.ok(statuses.every((s) => s !== 0), `a request got no answer at all: ${statuses.join(", ")}`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server!.child.exitCode, null, "the process died with its connections");
    for (const path of ["/db_dummy", "/api/movie/7", "/ping"]) {
      assert.equal((await fetch(base + path)).status, 200, `${path} after the connections died`);
    }
  });
});
