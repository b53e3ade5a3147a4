// The local instance group's healing rule, observation by observation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { judge, newMember } from "../../local-cloud/instance-group";

const HC = { port: 1, path: "/ping", intervalS: 10, timeoutS: 5, healthyThreshold: 2, unhealthyThreshold: 3 };

test("a running node is re-created after unhealthy_threshold failed checks in a row, not before", () => {
  const m = newMember("app1", "a", "running", 0);
  assert.equal(judge(m, true, false, HC, 900, 1), "ok");
  assert.equal(judge(m, true, false, HC, 900, 2), "ok");
  assert.equal(judge(m, true, true, HC, 900, 3), "ok", "a pass resets the count");
  assert.equal(judge(m, true, false, HC, 900, 4), "ok");
  assert.equal(judge(m, true, false, HC, 900, 5), "ok");
  assert.equal(judge(m, true, false, HC, 900, 6), "recreate");
});

test("a gone or stopped VM is re-created at once", () => {
  assert.equal(judge(newMember("app1", "a", "running", 0), false, false, HC, 900, 1), "recreate");
});

test("a new node has the startup time to pass healthy_threshold checks", () => {
  const m = newMember("app1", "a", "starting", 0);
  assert.equal(judge(m, true, false, HC, 900, 899_000), "ok", "failing while it configures itself");
  assert.equal(judge(m, true, true, HC, 900, 899_500), "ok");
  assert.equal(m.phase, "starting");
  assert.equal(judge(m, true, true, HC, 900, 899_600), "ok");
  assert.equal(m.phase, "running");
  const late = newMember("app2", "b", "starting", 0);
  assert.equal(judge(late, true, false, HC, 900, 900_001), "recreate", "never healthy within the startup time");
});
