// The steady and peak phases' "answered OK" rate counts the phase's own arrivals only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rateHeldCheck } from "../../acceptance/checks/sla.js";
import type { OpenLoadResult } from "../../acceptance/driver/open-load.js";
import type { Sample } from "../../acceptance/driver/samples.js";

const sample = (endpoint: string, ok: boolean, i: number): Sample => ({ endpoint, phase: "peak", startMs: i * 10, latencyMs: 5, status: ok ? 200 : 502, ok });

const sent: OpenLoadResult = { planned: 100, started: 100, shed: 0, achievedRps: 100, startLagP99Ms: 0, startLagMaxMs: 0, maxOutstanding: 3, segments: [] };

test("answers to the DELETEs that follow session writes do not make up for failed arrivals", () => {
  // 100 arrivals in 1 s at 100 RPS, 2 of them failed (98%): the phase lost more than 1%.
  const arrivals = Array.from({ length: 100 }, (_, i) => sample(i % 20 === 0 ? "POST /api/session" : "GET /db_dummy", i >= 2, i));
  const followUps = Array.from({ length: 5 }, (_, i) => sample("DELETE /api/session/{id}", true, i));
  const r = rateHeldCheck("peak", 100, 1, sent, [...arrivals, ...followUps]);
  assert.equal(r.verdict, "FAIL", r.figure);
  assert.match(r.figure, /answered OK 98\.0 RPS \(98\/100 of its requests\)/);
});

test("a shed arrival counts as one of the phase's requests, not answered", () => {
  const arrivals = Array.from({ length: 99 }, (_, i) => sample("GET /api/movie/{id}", true, i));
  const shed: Sample = { endpoint: "shed", phase: "peak", startMs: 995, latencyMs: 0, status: 0, ok: false, error: "shed" };
  assert.match(rateHeldCheck("peak", 100, 1, { ...sent, shed: 1 }, [...arrivals, shed]).figure, /99\/100 of its requests/);
  assert.equal(rateHeldCheck("peak", 100, 1, sent, arrivals).verdict, "PASS");
});
