// The frontend as users see it: every endpoint answers over HTTP, HTTPS and HTTP/3,
// only /long_dummy is cached (and never older than a minute), every answer says
// whether it came from the cache, and each request lands in the metrics log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HTTP_BASE, HTTPS_BASE, ageSeconds, fetchAnswer, onNode, sleep } from "./support/frontend";

const FAST_GETS = ["/ping", "/db_dummy", "/api/movie/1", "/api/customer/1", "/api/session/1"];
const LIST_GETS = ["/api/movie", "/api/customer", "/api/session"];

for (const base of [HTTP_BASE, HTTPS_BASE]) {
  test(`every endpoint answers through the frontend over ${base.split(":")[0].toUpperCase()}`, async () => {
    const index = await fetchAnswer(`${base}/`);
    assert.equal(index.status, 200, `GET / answered ${index.status}: ${index.body.slice(0, 200)}`);
    assert.match(index.body, /index_page_is_awesome/);
    assert.ok(index.headers["x-cache-status"], "GET / has no X-Cache-Status header");

    const ping = await fetchAnswer(`${base}/ping`);
    assert.equal(ping.status, 200);
    assert.equal(ping.body.trim(), "pong");

    for (const path of FAST_GETS) {
      const answer = await fetchAnswer(`${base}${path}`);
      assert.equal(answer.status, 200, `GET ${path} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      assert.ok(answer.headers["x-cache-status"], `GET ${path} has no X-Cache-Status header`);
    }
    for (const path of LIST_GETS) {
      const answer = await fetchAnswer(`${base}${path}`, { timeoutMs: 60_000 });
      assert.equal(answer.status, 200, `GET ${path} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      const parsed = JSON.parse(answer.body) as { count?: number; items?: unknown[] };
      assert.ok((parsed.items?.length ?? 0) > 0, `GET ${path} returned no rows`);
    }

    const created = await fetchAnswer(`${base}/api/session`, {
      method: "POST",
      body: { start_time: "2021-12-09T16:12:52.059188Z", customer_id: 100, movie_id: 500 },
    });
    assert.ok(created.status === 200 || created.status === 201, `POST /api/session answered ${created.status}: ${created.body}`);
    const id = (JSON.parse(created.body) as { id?: number }).id;
    assert.ok(Number.isInteger(id), `POST /api/session returned no id: ${created.body}`);
    const fetched = await fetchAnswer(`${base}/api/session/${id}`);
    assert.equal(fetched.status, 200, `the new session ${id} cannot be read back`);
    const deleted = await fetchAnswer(`${base}/api/session/${id}`, { method: "DELETE" });
    assert.equal(deleted.status, 200, `DELETE /api/session/${id} answered ${deleted.status}: ${deleted.body}`);

    // A small operation id is harmless; the fault values are exercised by the failover tests.
    const operation = await fetchAnswer(`${base}/operation`, { method: "POST", body: { operation: 1 } });
    assert.equal(operation.status, 200, `POST /operation answered ${operation.status}: ${operation.body}`);
  });
}

test("HTTP/3 answers from another node (curl --http3-only)", async () => {
  const out = await onNode("app1", "curl --http3-only -k -sS -m 10 -w ' %{http_version}' https://bingo-frontend-1.ru-central1.internal/ping");
  assert.equal(out, "pong 3", `curl over HTTP/3 printed: ${out}`);
  const altSvc = (await fetchAnswer(`${HTTPS_BASE}/ping`)).headers["alt-svc"] ?? "";
  assert.match(altSvc, /h3=":443"/, `HTTPS answers must advertise HTTP/3 (Alt-Svc: ${altSvc})`);
});

test("plain HTTP is served as is, without a redirect to HTTPS", async () => {
  const answer = await fetchAnswer(`${HTTP_BASE}/ping`);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers["location"], undefined);
});

test("nothing but /long_dummy is cached, and answers say so", async () => {
  for (const path of ["/", "/ping", "/db_dummy", "/api/movie/1", "/api/customer/1", "/api/session/1"]) {
    const first = await fetchAnswer(`${HTTP_BASE}${path}`);
    await sleep(20);
    const second = await fetchAnswer(`${HTTP_BASE}${path}`);
    for (const answer of [first, second]) {
      assert.ok(!["HIT", "STALE", "UPDATING", "REVALIDATED"].includes(answer.headers["x-cache-status"] ?? ""),
        `${path} came from the cache (X-Cache-Status: ${answer.headers["x-cache-status"]})`);
      assert.match(answer.headers["cache-control"] ?? "", /no-store/, `${path} is not marked uncacheable`);
    }
    assert.notEqual(first.headers["x-server-time"], second.headers["x-server-time"],
      `${path}: two requests got the same X-Server-Time, so one of them was cached`);
  }
});

test("/long_dummy comes from the cache, no older than 60 s, fast in at least 75% of answers", async () => {
  // One answer, a quiet spell longer than any copy may live (where a plain background
  // refresh would hand out a copy of any age), then samples across more than a fresh
  // period so the background refresh is exercised too.
  const samples: { age: number; ms: number; cache: string }[] = [];
  const sample = async (): Promise<void> => {
    const answer = await fetchAnswer(`${HTTP_BASE}/long_dummy`, { timeoutMs: 60_000 });
    const receivedAt = Date.now();
    assert.equal(answer.status, 200, `GET /long_dummy answered ${answer.status}`);
    samples.push({ age: ageSeconds(answer, receivedAt), ms: answer.ms, cache: answer.headers["x-cache-status"] ?? "" });
  };
  await sample();
  await sleep(62_000);
  const until = Date.now() + 45_000;
  while (Date.now() < until) {
    await sample();
    await sleep(2_000);
  }
  const oldest = Math.max(...samples.map((s) => s.age));
  const fast = samples.filter((s) => s.ms < 1_000).length / samples.length;
  const hits = samples.filter((s) => ["HIT", "STALE", "UPDATING"].includes(s.cache)).length;
  console.log(`/long_dummy: ${samples.length} answers, oldest ${oldest.toFixed(1)} s, ${(fast * 100).toFixed(0)}% under 1 s, ${hits} from cache`);
  // One second of tolerance for the clocks of the host and the app nodes.
  assert.ok(oldest <= 61, `an answer was ${oldest.toFixed(1)} s old (limit 60 s)`);
  assert.ok(fast >= 0.75, `only ${(fast * 100).toFixed(0)}% of answers took under 1 s`);
  assert.ok(hits > 0, "no answer came from the cache");
});

test("each request is logged per endpoint in the metrics log format", async () => {
  await fetchAnswer(`${HTTP_BASE}/api/movie/2`);
  await fetchAnswer(`${HTTP_BASE}/no/such/path`);
  // The balancer may have sent either request to either frontend: read both logs.
  const logs = await Promise.all(["frontend1", "frontend2"].map((f) => onNode(f, "sudo tail -n 200 /var/log/nginx/bingo_metrics.log")));
  const lines = logs.join("\n").split("\n");
  const format = /^\S+ (GET|POST|DELETE|HEAD|PUT|PATCH|OPTIONS) (\/|\/ping|\/long_dummy|\/db_dummy|\/operation|\/api\/movie|\/api\/movie\/\{id\}|\/api\/customer|\/api\/customer\/\{id\}|\/api\/session|\/api\/session\/\{id\}|other) \d{3} \d+\.\d{3} (\S+) (HTTP\/1\.[01]|HTTP\/2\.0|HTTP\/3\.0)$/;
  const bad = lines.filter((line) => line && !format.test(line));
  assert.deepEqual(bad, [], "lines that do not follow the metrics log format");
  assert.ok(lines.some((line) => / GET \/api\/movie\/\{id\} 200 /.test(line)), "GET /api/movie/2 was not logged as /api/movie/{id}");
  assert.ok(lines.some((line) => / GET other 404 /.test(line)), "an unknown path was not logged as other");
});

test("the frontend's nginx configuration passes nginx -t on the node image's release (the cloud image's)", async () => {
  const conf = await import("node:fs").then((fs) => fs.readFileSync(`${__dirname}/../../scripts/lib/local-nodes.conf`, "utf8"));
  const suite = /^NODE_SUITE=(\S+)$/m.exec(conf)?.[1];
  assert.ok(suite, "NODE_SUITE in scripts/lib/local-nodes.conf");
  assert.match(await onNode("frontend1", "grep ^VERSION_CODENAME= /etc/os-release"), new RegExp(`=${suite}$`));
  // http2 on; and listen ... quic need nginx >= 1.25.1; nginx -t fails on an older one.
  assert.match(await onNode("frontend1", "sudo nginx -t 2>&1"), /syntax is ok[\s\S]*test is successful/);
  assert.match(await onNode("frontend1", "sudo nginx -T 2>/dev/null | grep -E '^\\s*(http2 on|listen .*quic)' | sort -u | tr '\\n' ' '"), /http2 on;.*listen .*quic|listen .*quic.*http2 on;/);
});

/** Lines in frontend1's access log: how many requests it has served. */
const servedByFrontend1 = async () => Number(await onNode("frontend1", "sudo wc -l < /var/log/nginx/bingo_access.log"));

/** n requests through the balancer, each on a new connection (so each is balanced anew). */
async function freshRequests(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${HTTP_BASE}/ping`, { headers: { connection: "close" } });
    assert.equal(await r.text(), "pong");
  }
}

test("a draining frontend fails the balancer's health check, asks clients to close, and gets no new connections", async () => {
  const flag = "/run/nginx-drain";
  const health = (address: string) => fetch(`http://${address}/healthz`).then((r) => r.status);
  assert.equal(await health("172.30.77.20"), 200);
  assert.equal(await health("172.30.77.28"), 200);
  await onNode("frontend1", `sudo touch ${flag}`);
  try {
    assert.equal(await health("172.30.77.20"), 503);
    const answer = await onNode("frontend1", "curl -sS -o /dev/null -D - http://127.0.0.1/ping | tr -d '\\r' | grep -i '^connection:' | sort | tr '\\n' ' '");
    assert.match(answer, /close/i, `a draining frontend's HTTP/1 answer must ask the client to close: ${answer}`);
    await sleep(7_000); // the balancer's health check: 2 failures, 2 s apart
    const before = await servedByFrontend1();
    await freshRequests(20);
    await sleep(2_500); // the access log is flushed every 2 s
    assert.equal(await servedByFrontend1(), before, "the balancer still sent new connections to the draining frontend");
  } finally {
    await onNode("frontend1", `sudo rm -f ${flag}`);
  }
  await sleep(6_000); // 2 passes, 2 s apart
  const before = await servedByFrontend1();
  await freshRequests(20);
  await sleep(2_500);
  assert.ok((await servedByFrontend1()) > before, "frontend1 is back in service but gets no connections");
});
