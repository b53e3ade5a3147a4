// The capacity phase's steps and where it stops, with a fake installation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { capacityRates, capacityRow, searchCapacity, whyNotHeld, type StepFigures } from "../../acceptance/checks/capacity.js";
import { chooseProfile } from "../../acceptance/profiles.js";

const PLAN = { fromRate: 120, stepRate: 40, toRate: 400, stepS: 20 };

/** A fake installation: p90 and errors as functions of the offered rate; the driver holds every rate. */
function fake(p90: (rate: number) => number, errorRatio: (rate: number) => number) {
  const asked: number[] = [];
  const run = (rate: number): Promise<StepFigures> => {
    asked.push(rate);
    const count = rate * PLAN.stepS;
    const errors = Math.round(count * errorRatio(rate));
    const failures: Record<string, number> = errors ? { "429": errors } : {};
    return Promise.resolve({ rate, count, p50Ms: p90(rate) / 2, p90Ms: p90(rate), errors, errorRatio: errors / count, failures, achievedRps: rate, shed: 0 });
  };
  return { asked, run };
}

test("the steps go from the first rate up by the step, to the last at most", () => {
  assert.deepEqual(capacityRates(PLAN), [120, 160, 200, 240, 280, 320, 360, 400]);
  assert.deepEqual(capacityRates({ ...PLAN, toRate: 150 }), [120]);
  assert.throws(() => capacityRates({ ...PLAN, stepRate: 0 }), /stepRate > 0/);
});

test("the search stops at the first step whose errors pass 1%, and reports the one before", async () => {
  // A rate limit of 200 RPS: beyond it the excess is refused.
  const f = fake(() => 80, (rate) => Math.max(0, (rate - 200) / rate));
  const search = await searchCapacity(capacityRates(PLAN), f.run);
  assert.deepEqual(f.asked, [120, 160, 200, 240], "nothing above the first failing step is sent");
  assert.equal(search.held?.rate, 200);
  assert.equal(search.failed?.rate, 240);
  assert.match(search.failed?.why ?? "", /^errors 16\.67% > 1%: 429 x800$/);
  const row = capacityRow(search, PLAN, 2, 2);
  assert.equal(row.verdict, "PASS");
  assert.match(row.figure, /^held 200 RPS \(p90 80 ms, errors 0\.00%\), failed at 240 RPS \(errors 16\.67% > 1%: 429 x800\); ceiling 400 RPS \(100\/s per process x 2 app nodes x 2 processes per node\), held\/ceiling 0\.50$/);
  // One process per node: the ceiling the peak (120 RPS) cannot pass with a node down.
  assert.match(capacityRow(search, PLAN, 2, 1).figure, /ceiling 200 RPS \(100\/s per process x 2 app nodes x 1 process per node\), held\/ceiling 1\.00$/);
});

test("after the first step that fails, the gap below it is halved down to the finest step", async () => {
  // Errors pass 1% above 385 RPS.
  const f = fake(() => 80, (rate) => (rate > 385 ? 0.02 : 0));
  const search = await searchCapacity(capacityRates(PLAN), f.run, 10);
  assert.deepEqual(f.asked, [120, 160, 200, 240, 280, 320, 360, 400, 380, 390]);
  assert.equal(search.held?.rate, 380);
  assert.equal(search.failed?.rate, 390);
  assert.match(capacityRow(search, { ...PLAN, finestStepRate: 10 }, 2, 2).figure, /^held 380 RPS .*, failed at 390 RPS .*held\/ceiling 0\.95$/);
  // A failure at 380 too: 370 is tried, and the failed step reported is the lowest.
  const g = fake(() => 80, (rate) => (rate > 365 ? 0.02 : 0));
  const lower = await searchCapacity(capacityRates(PLAN), g.run, 10);
  assert.deepEqual(g.asked.slice(-3), [400, 380, 370]);
  assert.deepEqual([lower.held?.rate, lower.failed?.rate], [360, 370]);
  // Without a finest step, or when even the first step failed, nothing more is sent.
  const h = fake(() => 80, (rate) => (rate > 385 ? 0.02 : 0));
  assert.equal((await searchCapacity(capacityRates(PLAN), h.run)).held?.rate, 360);
  assert.equal(h.asked.length, 8);
  const none = fake(() => 900, () => 0);
  await searchCapacity(capacityRates(PLAN), none.run, 10);
  assert.deepEqual(none.asked, [120]);
});

test("p90 at 400 ms fails a step, as does a driver that could not hold the rate", async () => {
  const slow = await searchCapacity(capacityRates(PLAN), fake((rate) => (rate >= 280 ? 400 : 120), () => 0).run);
  assert.equal(slow.held?.rate, 240);
  assert.equal(slow.failed?.why, "p90 400 ms >= 400 ms");
  const lagging: StepFigures = { rate: 400, count: 8000, p50Ms: 5, p90Ms: 10, errors: 0, errorRatio: 0, failures: {}, achievedRps: 380, shed: 3 };
  assert.equal(whyNotHeld(lagging), "the driver sent 380.0 RPS, shed 3");
  assert.equal(whyNotHeld({ ...lagging, achievedRps: 399, shed: 0 }), undefined);
});

test("every step holding, or not even the first, is said so", async () => {
  const all = await searchCapacity(capacityRates(PLAN), fake(() => 50, () => 0).run);
  assert.equal(all.failed, undefined);
  assert.equal(all.held?.rate, 400);
  assert.match(capacityRow(all, PLAN, 2, 2).figure, /^held 400 RPS .*, no step up to 400 RPS failed; ceiling 400 RPS .*, held\/ceiling 1\.00$/);
  const none = await searchCapacity(capacityRates(PLAN), fake(() => 900, () => 0).run);
  assert.equal(none.steps.length, 1);
  assert.equal(none.held, undefined);
  const row = capacityRow(none, PLAN, 2, 2);
  assert.equal(row.verdict, "FAIL");
  assert.match(row.figure, /^held none, failed at 120 RPS \(p90 900 ms >= 400 ms\); ceiling 400 RPS/);
});

test("only the full profile measures capacity and the frontend overhead", () => {
  const full = chooseProfile("full", undefined);
  assert.deepEqual(full.capacity, { ...PLAN, finestStepRate: 10 });
  assert.deepEqual(full.overhead, { rate: 60, durationS: 30, rounds: 2 });
  for (const name of ["smoke", "ci"]) {
    const p = chooseProfile(name, undefined);
    assert.equal(p.capacity, undefined, name);
    assert.equal(p.overhead, undefined, name);
  }
});
