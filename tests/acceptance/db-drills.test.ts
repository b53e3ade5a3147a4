// What the DB drills judge, on known inputs: when writes succeed again after the
// break, which acknowledged writes must still exist, and the requests by kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dbVmName, rejoined } from "../../acceptance/drills/db-drills.js";
import { failedAt, failedByKind, WriteLedger, writeAccountFigure, writesBack } from "../../acceptance/drills/db-writes.js";
import type { Sample } from "../../acceptance/driver/samples.js";

const BREAK = 20_000;
const post = (startMs: number, latencyMs: number, status: number, error?: string): Sample => ({
  endpoint: "POST /api/session",
  path: "/api/session",
  phase: "drill:db-primary-kill",
  startMs,
  latencyMs,
  status,
  ok: status >= 200 && status < 300,
  error,
});

test("writes are back at the first answer to a write started after the last failed one", () => {
  const posts = [post(19_000, 10, 201), post(20_500, 9_000, 0, "UND_ERR_HEADERS_TIMEOUT"), post(21_000, 30, 500), post(27_000, 40, 500), post(27_300, 5_000, 201), post(27_600, 200, 201), post(28_000, 10, 201)];
  const back = writesBack(posts, BREAK);
  assert.equal(back.seconds, 7.8, "the write started at +7.6 s answered at +7.8 s, before the slower one started at +7.3 s");
  assert.ok(back.lastFailed);
  assert.equal(back.lastFailed.startMs, 27_000);
  assert.equal(failedAt(back.lastFailed, BREAK), "+7.00 s (500)");
  assert.equal(back.slowestOkMs, 5_000, "a write that stalled but succeeded shows as the slowest");
});

test("writes that never failed are back at once; a failed last write means never", () => {
  assert.equal(writesBack([post(19_000, 10, 201), post(21_000, 10, 201)], BREAK).seconds, 0);
  assert.equal(writesBack([post(10_000, 10, 500), post(21_000, 10, 201)], BREAK).seconds, 0, "a failure over before the break is not the drill's");
  assert.ok(Number.isNaN(writesBack([post(21_000, 10, 201), post(22_000, 10, 500)], BREAK).seconds), "no write after the last failed one");
});

test("a write cut at the break counts: back at the first write answered after the break", () => {
  const back = writesBack([post(19_900, 600, 0, "UND_ERR_SOCKET"), post(20_100, 400, 201)], BREAK);
  assert.equal(back.seconds, 0.5);
  assert.ok(back.lastFailed);
  assert.equal(failedAt(back.lastFailed, BREAK), "-0.10 s (UND_ERR_SOCKET)");
});

test("every second acknowledged write is kept; the rest are deleted and not looked for", () => {
  const ledger = new WriteLedger();
  assert.equal(ledger.acknowledge(5_000_001, 19_000), true, "the first is kept");
  assert.equal(ledger.acknowledge(5_000_002, 19_500), false);
  ledger.deleted(5_000_002, true);
  assert.equal(ledger.acknowledge(5_000_003, 21_000), true);
  assert.equal(ledger.acknowledge(5_000_004, 22_000), false);
  ledger.deleted(5_000_004, false);
  assert.equal(ledger.acknowledge(5_000_005, 23_000), true);
  assert.deepEqual(ledger.mustExist(), [5_000_001, 5_000_003, 5_000_005], "acknowledged minus those a DELETE was sent for, failed or not");
  const account = ledger.account(new Set([5_000_001, 5_000_005]), BREAK);
  assert.deepEqual(account, { acknowledged: 5, beforeBreak: 2, afterBreak: 3, deleted: 1, deleteFailed: 1, lookedFor: 3, missing: [5_000_003] });
  assert.equal(writeAccountFigure(account), "5 writes acknowledged (2 before the break, 3 after): 3 looked for, 1 MISSING (5000003) (1 deleted by the load, 1 DELETE failed: not looked for)");
  assert.match(writeAccountFigure(ledger.account(new Set([5_000_001, 5_000_003, 5_000_005]), BREAK)), /3 looked for, all found/);
});

test("requests divide into writes, reads and the rest, each with its failures", () => {
  const s = (endpoint: string, ok: boolean): Sample => ({ endpoint, phase: "drill:x", startMs: 0, latencyMs: 1, status: ok ? 200 : 500, ok });
  const kinds = failedByKind([
    s("POST /api/session", false),
    s("DELETE /api/session/{id}", true),
    s("GET /api/movie/{id}", false),
    s("GET /db_dummy", true),
    s("GET /api/session", true),
    s("POST /operation", false),
    s("shed", false),
  ]);
  assert.deepEqual(kinds, { writes: { failed: 1, total: 2 }, reads: { failed: 1, total: 3 }, other: { failed: 2, total: 2 } });
});

test("a restored node is back once another member's /cluster lists it as a replica that runs", () => {
  const db3 = { name: "db3", privateAddress: "172.30.77.100" };
  const line = (state: string) => JSON.stringify({ members: [{ name: "db1", role: "leader", state: "running" }, { name: "db3", role: "replica", state }] });
  assert.equal(rejoined(line("streaming"), db3), true);
  assert.equal(rejoined(line("starting"), db3), false);
  assert.equal(rejoined("", db3), false, "no answer from Patroni");
});

test("a DB node's cloud VM is bingo-db-N", () => {
  assert.equal(dbVmName("db2"), "bingo-db-2");
  assert.equal(dbVmName("bingo-db"), "bingo-db");
});
