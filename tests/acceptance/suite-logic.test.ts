// The judgement logic of the suite on known inputs: how it reaches the nodes, how it
// compares answers with rows, and how it times a recovery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitShellWords, shellQuote } from "../../acceptance/target/shell-words.js";
import { rowDifferences } from "../../acceptance/checks/data.js";
import { breakdown, downSeconds, lastUnansweredAfter, recoveredAt } from "../../acceptance/drills/drill.js";
import { appPingProblems } from "../../acceptance/drills/health.js";
import { factPorts, processesPerNode } from "../../acceptance/drills/plans.js";
import type { InventoryNode } from "../../acceptance/target/inventory.js";
import { RateSchedule } from "../../acceptance/driver/schedule.js";
import { runOpenLoad } from "../../acceptance/driver/open-load.js";
import { percentile } from "../../acceptance/driver/percentile.js";
import { createdId } from "../../acceptance/load/mix.js";
import { chooseProfile } from "../../acceptance/profiles.js";

test("SSH arguments with a quoted ProxyCommand split as the shell would", () => {
  const args = splitShellWords(`-o IdentitiesOnly=yes -o ProxyCommand="ssh -i /k -W %h:%p ansible@172.30.77.13" -o 'A=b c'`);
  assert.deepEqual(args, ["-o", "IdentitiesOnly=yes", "-o", "ProxyCommand=ssh -i /k -W %h:%p ansible@172.30.77.13", "-o", "A=b c"]);
  assert.deepEqual(splitShellWords(`echo ${shellQuote("it's $HOME")}`), ["echo", "it's $HOME"]);
});

test("an answer equals its row across nesting, date notations and time zones", () => {
  const row = { id: 7, start_time: "2021-12-09T16:12:52.059", customer_id: 3, movie_id: 5 };
  const answer = { id: 7, start_time: "2021-12-09T16:12:52.059Z", customer: { id: 3 }, movie: { id: 5 }, server_time: "x" };
  assert.deepEqual(rowDifferences(row, answer), []);
  assert.deepEqual(rowDifferences({ birthday: "1990-05-01" }, { birthday: "1990-04-30T21:00:00.000Z" }), []);
  assert.equal(rowDifferences({ id: 7, name: "A" }, { id: 7, name: "B" }).length, 1);
  assert.equal(rowDifferences({ id: 7, email: "a@b" }, { id: 7 }).length, 1, "a missing field is a difference");
});

test("recovery is timed to the first healthy probe after the last unhealthy one", () => {
  const probe = [
    { atMs: 0, ok: true },
    { atMs: 500, ok: false },
    { atMs: 1000, ok: true },
    { atMs: 1500, ok: false },
    { atMs: 2000, ok: true },
    { atMs: 2500, ok: true },
  ];
  assert.equal(recoveredAt(probe, 400), 2000);
  assert.ok(Number.isNaN(recoveredAt([{ atMs: 10, ok: false }], 0)), "never healthy again");
  assert.equal(recoveredAt([{ atMs: 10, ok: true }], 0), 10, "a restart faster than the probe still counts");
});

test("percentiles by nearest rank, and created ids in the shapes an API may answer", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 90), 90);
  assert.equal(percentile(values, 99), 99);
  assert.equal(createdId('{"id": 5000001, "start_time": "x"}'), 5000001);
  assert.equal(createdId('[{"id": "42"}]'), 42);
  assert.equal(createdId("not json"), undefined);
});

test("a piecewise rate keeps earlier due times and spaces arrivals evenly within each step", () => {
  const s = new RateSchedule(120);
  assert.equal(s.dueMs(12), 100);
  s.setAt(10_000, 60); // 1200 arrivals due before the change
  assert.equal(s.steps[1].countAt, 1200);
  assert.ok(Math.abs(s.dueMs(1199) - (1199 * 1000) / 120) < 1e-6);
  assert.equal(s.dueMs(1200), 10_000);
  assert.equal(s.dueMs(1260), 11_000);
  s.setAt(5_000, 120); // never in the past: moved up to the last step
  assert.equal(s.steps.length, 2, "a second change at the same moment replaces the first");
  assert.deepEqual(s.steps[1], { atMs: 10_000, rate: 120, countAt: 1200 });
  assert.equal(s.rateAt(9_999), 120);
  assert.equal(s.rateAt(10_000), 120);
  assert.throws(() => s.setAt(20_000, 0));
  assert.equal(breakdown({ "429": 3, "502": 12 }), "502 x12, 429 x3");
  assert.equal(breakdown({}), "none");
});

test("the driver follows a rate changed while it runs", async () => {
  const schedule = new RateSchedule(200);
  const due: number[] = [];
  const run = runOpenLoad({
    rate: schedule,
    durationS: 0.6,
    maxInFlight: 1000,
    onShed: () => undefined,
    job: (d) => {
      due.push(d - schedule.startedAt);
      return Promise.resolve();
    },
  });
  await new Promise((r) => setTimeout(r, 300));
  schedule.setNow(50);
  const result = await run;
  assert.equal(result.segments.length, 2);
  const [a, b] = result.segments;
  assert.ok(Math.abs(a.due - a.rate * (a.toS - a.fromS)) <= 1, `first step: ${a.due} due in ${a.toS - a.fromS} s at ${a.rate}/s`);
  assert.ok(Math.abs(b.due - b.rate * (b.toS - b.fromS)) <= 1, `second step: ${b.due} due in ${b.toS - b.fromS} s at ${b.rate}/s`);
  assert.equal(result.planned, due.length);
  assert.equal(result.shed, 0);
});

test("the health gate names each app node that does not answer pong", () => {
  assert.deepEqual(appPingProblems("app1: pong\napp2: pong\n", ["app1", "app2"], "x"), []);
  assert.deepEqual(appPingProblems("app1: I feel bad\napp2: \n", ["app1", "app2"], "x"), ['app1 /ping: "I feel bad"', 'app2 /ping: "no answer"']);
  assert.deepEqual(appPingProblems("", ["app1"], "ssh to frontend exited 255"), ["app1 /ping: not asked (ssh to frontend exited 255)"]);
});

test("the health gate asks every process: one down on a node is named, the others are not", () => {
  const labels = ["app1 process 1", "app1 process 2", "app2 process 1", "app2 process 2"];
  const out = "app1 process 1: pong\napp1 process 2: \napp2 process 1: pong\napp2 process 2: pong\n";
  assert.deepEqual(appPingProblems(out, labels, "x"), ['app1 process 2 /ping: "no answer"']);
});

test("an app node's ports come from its bingo.fact: every process's, or the one port of an older deploy", () => {
  assert.deepEqual(factPorts({ port: 32363, ports: [32363, 32364] }), [32363, 32364]);
  assert.deepEqual(factPorts({ port: 32363 }), [32363]);
  assert.deepEqual(factPorts({ ports: [32363, "x"] }), []);
  assert.deepEqual(factPorts({}), []);
});

test("processes per node are counted on the first app node's targets", () => {
  const node = (name: string) => ({ name, address: name, privateAddress: name, group: "app" }) as unknown as InventoryNode;
  const [app1, app2] = [node("app1"), node("app2")];
  const target = (n: InventoryNode, i: number) => ({ node: n, url: `http://${n.name}:${32362 + i}`, label: `${n.name} process ${i}` });
  const targets = { frontend: app1, apps: [target(app1, 1), target(app1, 2), target(app2, 1), target(app2, 2)], publicUrl: new URL("http://x/") };
  assert.equal(processesPerNode(targets), 2);
});

test("time a node the drill did not break spent down is summed per node", () => {
  const w = (name: string, atMs: number, ok: boolean) => ({ name, atMs, ok });
  assert.deepEqual(downSeconds([w("app2", 0, true), w("app2", 500, false), w("app2", 1500, false), w("app2", 2000, true)]), { app2: 1.5 });
  assert.deepEqual(downSeconds([w("app2", 0, true)]), {});
  assert.deepEqual(downSeconds([w("app2", 0, false)]), { app2: 0.5 }, "a last failed probe counts one interval");
});

test("DRILLS narrows a profile to the named drills and refuses unknown ones", () => {
  assert.deepEqual(chooseProfile("smoke", "pgbouncer-restart, nginx-restart").drills, ["pgbouncer-restart", "nginx-restart"]);
  assert.deepEqual(chooseProfile("ci", undefined).drills, ["container-kill", "db-primary-kill", "nginx-restart", "frontend-kill", "instance-recreate"]);
  const full: readonly string[] = chooseProfile("full", undefined).drills;
  assert.ok(full.includes("db-primary-kill") && full.includes("db-replica-stop"), "the full profile runs both DB drills");
  assert.equal(chooseProfile(undefined, "").name, "full");
  assert.throws(() => chooseProfile("smoke", "nginx-restart,reboot"), /unknown drill 'reboot' in DRILLS/);
  assert.throws(() => chooseProfile("huge", undefined), /unknown PROFILE 'huge'/);
});

test("BREAK_RATE sets the rate offered while a drill's part is broken, and refuses anything but a whole rate", () => {
  assert.equal(chooseProfile("full", undefined).drillTiming.steadyRate, 60, "the requirement's steady rate by default");
  const held = chooseProfile("smoke", "node-stop", "120");
  assert.deepEqual([held.drills, held.drillTiming.steadyRate, held.drillTiming.peakRate], [["node-stop"], 120, 120]);
  assert.equal(chooseProfile("smoke", undefined).drillTiming.steadyRate, 60, "the profile itself is left as it was");
  for (const bad of ["fast", "0", "-5", "60.5"]) assert.throws(() => chooseProfile("smoke", undefined, bad), /BREAK_RATE '.*' is not a whole number/);
});

test("a lost frontend's time: the last request after the break that got no answer at all, not an HTTP error", () => {
  const sample = (startMs: number, status: number, error?: string) => ({ endpoint: "GET /ping", phase: "drill:x", startMs, latencyMs: 5, status, ok: false, error });
  const samples = [sample(900, 0, "ECONNRESET"), sample(1_500, 0, "UND_ERR_CONNECT_TIMEOUT"), sample(3_000, 500), sample(4_000, 0, "shed")];
  assert.equal(lastUnansweredAfter(samples, 1_000), 0.5);
  assert.equal(lastUnansweredAfter([sample(3_000, 502)], 1_000), 0);
});
