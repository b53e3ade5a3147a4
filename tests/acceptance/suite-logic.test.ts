// The judgement logic of the suite on known inputs: how it reaches the nodes, how it
// compares answers with rows, and how it times a recovery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitShellWords, shellQuote } from "../../acceptance/target/shell-words.js";
import { rowDifferences } from "../../acceptance/checks/data.js";
import { recoveredAt } from "../../acceptance/drills/drill.js";
import { percentile } from "../../acceptance/driver/percentile.js";
import { createdId } from "../../acceptance/load/mix.js";

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
