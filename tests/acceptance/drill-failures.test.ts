// A drill's failed requests: the frontend's log line that served each, and its class.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAccessLine } from "../../acceptance/drills/access-log.js";
import { classCounts, classify, explainFailures, failureLine, matchAccesses, servedBy } from "../../acceptance/drills/failed-requests.js";
import type { Sample } from "../../acceptance/driver/samples.js";

// The suite's clock origin is 2026-01-05T10:00:00Z; the break comes 20 s later.
const ORIGIN = Date.parse("2026-01-05T10:00:00Z");
const BREAK = { atMs: 20_000, servingAgainMs: 35_000, brokenAddress: "172.30.77.21" };
const NAMES = new Map([
  ["172.30.77.21", "app1"],
  ["172.30.77.22", "app2"],
]);

const line = (time: string, request: string, status: number, ua: string, us: string, rt = "0.004") =>
  `172.30.77.1 [2026-01-05T${time}+00:00] "${request} HTTP/1.1" ${status} 157 rt=${rt} uct=0.001 urt=0.003 ua="${ua}" us="${us}" cache=- proto=HTTP/1.1 ssl=- "undici"`;

const failed = (endpoint: string, path: string | undefined, startMs: number, latencyMs: number, status: number, error?: string): Sample => ({
  endpoint,
  path,
  phase: "drill:container-kill",
  startMs,
  latencyMs,
  status,
  ok: false,
  error,
});

test("an access line gives the time, request, status and every upstream tried", () => {
  const e = parseAccessLine("fe1", line("10:00:20", "GET /api/movie/42", 502, "172.30.77.21:8321, 172.30.77.22:8321", "502, 504", "1.250"));
  assert.deepEqual(e, {
    frontend: "fe1",
    atMs: ORIGIN + 20_000,
    requestMs: 1250,
    method: "GET",
    path: "/api/movie/42",
    status: 502,
    upstreams: [
      { address: "172.30.77.21:8321", status: "502" },
      { address: "172.30.77.22:8321", status: "504" },
    ],
  });
  assert.deepEqual(parseAccessLine("fe1", line("10:00:20", "GET /ping", 429, "-", "-"))?.upstreams, []);
  assert.equal(parseAccessLine("fe1", "2026-01-05T10:00:20+00:00 GET /ping 200 0.001 - HTTP/1.1"), undefined, "the metrics log's format is not this one");
});

test("a failed request is matched to the line with its method, path and status logged while it was out", () => {
  const entries = [
    line("10:00:21", "GET /api/movie/42", 502, "172.30.77.21:8321", "502"), // right request, right time
    line("10:00:21", "GET /api/movie/43", 502, "172.30.77.22:8321", "502"), // another id
    line("10:00:50", "GET /api/movie/42", 502, "172.30.77.22:8321", "502"), // the same request half a minute later
    line("10:00:21", "POST /operation", 500, "172.30.77.22:8321", "500"),
    line("10:00:21", "POST /operation", 500, "172.30.77.21:8321", "500"),
  ].map((l) => parseAccessLine("fe1", l)!);
  const samples = [
    failed("GET /api/movie/{id}", "/api/movie/42", 20_900, 300, 502),
    failed("GET /api/customer/{id}", "/api/customer/7", 21_000, 5, 0, "ECONNRESET"),
    failed("POST /operation", "/operation", 21_100, 20, 500),
    failed("POST /operation", "/operation", 21_300, 20, 500),
    failed("POST /operation", "/operation", 21_400, 20, 500), // two lines, three failures: one stays unknown
    failed("GET /api/session/{id}", undefined, 21_500, 10, 502), // no path kept: the endpoint's pattern
  ];
  const matched = matchAccesses(samples, entries, ORIGIN);
  assert.equal(matched[0], entries[0]);
  assert.equal(matched[1], undefined, "no answer, no log line");
  assert.ok(matched[2] && matched[3] && matched[2] !== matched[3], "a line explains one request only");
  assert.equal(matched[4], undefined);
  assert.equal(matched[5], undefined, "no line for a session read");
  const withPattern = matchAccesses([samples[5]], [parseAccessLine("fe2", line("10:00:21", "GET /api/session/9", 502, "172.30.77.22:8321", "502"))!], ORIGIN);
  assert.equal(withPattern[0]?.frontend, "fe2");
  assert.equal(servedBy(samples[0], matched[0], NAMES), "fe1 -> app1 502");
  assert.equal(servedBy(samples[1], undefined, NAMES), "no answer: connection reset");
  assert.equal(servedBy(samples[4], undefined, NAMES), "node unknown");
});

test("each failure falls in the class of the first rule that applies", () => {
  const entry = (ua: string, us: string, status: number) => parseAccessLine("fe1", line("10:00:21", "GET /api/movie/1", status, ua, us))!;
  const sample = (startMs: number, latencyMs: number, status: number, error?: string) => failed("GET /api/movie/{id}", "/api/movie/1", startMs, latencyMs, status, error);
  // Outstanding at the break, answered 502 after the broken node was tried: cut in flight.
  assert.equal(classify(sample(19_900, 400, 502), entry("172.30.77.21:8321", "502", 502), BREAK), "cut");
  // Outstanding at the break, but another node failed it: not the break's cut.
  assert.equal(classify(sample(19_900, 400, 502), entry("172.30.77.22:8321", "504", 502), BREAK), "gateway");
  // Outstanding at the break with no answer at all (a frontend drill): cut.
  assert.equal(classify(sample(19_900, 400, 0, "UND_ERR_SOCKET"), undefined, { ...BREAK, brokenAddress: undefined }), "cut");
  // Sent to the broken node after the break, before it served again.
  assert.equal(classify(sample(25_000, 10, 500), entry("172.30.77.22:8321, 172.30.77.21:8321", "429, 500", 500), BREAK), "cut");
  // The same after it served again: an app's error.
  assert.equal(classify(sample(40_000, 10, 500), entry("172.30.77.21:8321", "500", 500), BREAK), "app");
  assert.equal(classify(sample(25_000, 3, 0, "ECONNRESET"), undefined, BREAK), "reset");
  assert.equal(classify(sample(25_000, 3, 0, "ECONNREFUSED"), undefined, BREAK), "reset");
  assert.equal(classify(sample(25_000, 10_000, 0, "UND_ERR_HEADERS_TIMEOUT"), undefined, BREAK), "timeout");
  assert.equal(classify(sample(25_000, 60, 504), entry("172.30.77.22:8321", "504", 504), BREAK), "gateway");
  assert.equal(classify(sample(25_000, 60, 502), undefined, BREAK), "gateway", "node unknown, still a gateway error");
  assert.equal(classify(sample(25_000, 5, 429), entry("172.30.77.22:8321", "429", 429), BREAK), "app");
  assert.equal(classify(sample(25_000, 5, 429), entry("-", "-", 429), BREAK), "other", "the frontend's own answer");
  assert.equal(classify({ ...sample(25_000, 0, 0, "shed"), endpoint: "shed", path: undefined }, undefined, BREAK), "shed");
  assert.equal(classify(sample(25_000, 3, 0, "UND_ERR_INFO"), undefined, BREAK), "other");
});

test("a drill's failures are listed from the break on and counted per class", () => {
  const entries = [parseAccessLine("fe1", line("10:00:21", "GET /api/movie/42", 502, "172.30.77.21:8321", "502"))!];
  const explained = explainFailures(
    [failed("GET /api/movie/{id}", "/api/movie/42", 20_900, 300, 502), failed("GET /db_dummy", "/db_dummy", 19_000, 4, 0, "ECONNRESET"), failed("GET /db_dummy", "/db_dummy", 30_000, 4, 0, "ECONNRESET")],
    entries,
    BREAK,
    ORIGIN,
    NAMES,
  );
  assert.deepEqual(
    explained.map(failureLine),
    [
      "-1.00 s GET /db_dummy ECONNRESET (no answer: connection reset): reset",
      "+0.90 s GET /api/movie/{id} 502 (fe1 -> app1 502): cut",
      "+10.00 s GET /db_dummy ECONNRESET (no answer: connection reset): reset",
    ],
  );
  assert.equal(classCounts(explained), "refused/reset by a restarting proxy x2, cut in flight by the break (the broken node was serving it) x1");
  assert.equal(classCounts([]), "none");
});
