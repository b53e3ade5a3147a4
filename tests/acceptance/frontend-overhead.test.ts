// The frontend overhead row from the two sides' latencies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { overheadRow, side } from "../../acceptance/checks/frontend-overhead.js";
import { allHeld } from "../../acceptance/checks/result.js";
import type { Sample } from "../../acceptance/driver/samples.js";

const PLAN = { rate: 60, durationS: 30, rounds: 2 };
const samples = (latencies: number[], ok = true): Sample[] => latencies.map((latencyMs, i) => ({ endpoint: "GET /api/movie/{id}", phase: "p", startMs: i, latencyMs, status: ok ? 200 : 502, ok }));
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

test("the overhead is the difference of the percentiles through the frontend and direct", () => {
  const front = side(samples(range(3, 100))); // p50 52, p90 92
  const direct = side(samples(range(1, 100))); // p50 50, p90 90
  const row = overheadRow(front, direct, "app1", PLAN);
  assert.equal(row.figure, "frontend overhead: p50 +2.0 ms, p90 +2.0 ms (through the frontend 52.0/92.0 ms, direct to app1 50.0/90.0 ms)");
  assert.equal(row.requirement, "goal: p90 overhead within 5 ms");
  assert.equal(row.verdict, "PASS");
  // A goal of the installation's own: missed is reported, and does not fail the run.
  const missed = overheadRow(side(samples(range(10, 100))), direct, "app1", PLAN);
  assert.equal(missed.verdict, "MISS", "+9 ms at p90");
  assert.equal(allHeld([missed]), true);
  assert.equal(allHeld([missed, { ...missed, verdict: "FAIL" }]), false);
});

test("a side that got no answer is not measured, and a shed request has no latency", () => {
  const row = overheadRow(side(samples(range(1, 10))), side(samples(range(1, 10), false)), "app1", PLAN);
  assert.equal(row.verdict, "FAIL");
  assert.equal(row.figure, "not measured: 10/10 answered through the frontend, 0/10 direct to app1");
  const shed: Sample = { endpoint: "shed", phase: "p", startMs: 0, latencyMs: 0, status: 0, ok: false, error: "shed" };
  assert.deepEqual(side([...samples([10, 20]), shed]), { count: 3, errors: 1, p50: 10, p90: 20 });
});
