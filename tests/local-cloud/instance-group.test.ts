// The local instance group's healing rule, observation by observation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { judge, newMember } from "../../local-cloud/instance-group";

const HC = { port: 1, path: "/ping", intervalS: 10, timeoutS: 5, healthyThreshold: 2, unhealthyThreshold: 3 };

test("a running node is healed after unhealthy_threshold failed checks in a row, not before", () => {
  const m = newMember("app1", "a", "running", 0);
  assert.equal(judge(m, "running", false, HC, 900, 1, "restart"), "ok");
  assert.equal(judge(m, "running", false, HC, 900, 2, "restart"), "ok");
  assert.equal(judge(m, "running", true, HC, 900, 3, "restart"), "ok", "a pass resets the count");
  assert.equal(judge(m, "running", false, HC, 900, 4, "restart"), "ok");
  assert.equal(judge(m, "running", false, HC, 900, 5, "restart"), "ok");
  assert.equal(judge(m, "running", false, HC, 900, 6, "restart"), "restart");
});

test("a deleted VM is created again, a stopped one started again, at once", () => {
  assert.equal(judge(newMember("app1", "a", "running", 0), "absent", false, HC, 900, 1, "restart"), "recreate");
  assert.equal(judge(newMember("app1", "a", "running", 0), "stopped", false, HC, 900, 1, "restart"), "start");
});

test("the deployment policy decides how an unhealthy instance is healed", () => {
  const m = newMember("app1", "a", "running", 0);
  for (let t = 1; t < 3; t++) judge(m, "running", false, HC, 900, t, "recreate");
  assert.equal(judge(m, "running", false, HC, 900, 3, "recreate"), "recreate");
});

test("a new node has the startup time to pass healthy_threshold checks", () => {
  const m = newMember("app1", "a", "starting", 0);
  assert.equal(judge(m, "running", false, HC, 900, 899_000, "restart"), "ok", "failing while it configures itself");
  assert.equal(judge(m, "running", true, HC, 900, 899_500, "restart"), "ok");
  assert.equal(m.phase, "starting");
  assert.equal(judge(m, "running", true, HC, 900, 899_600, "restart"), "ok");
  assert.equal(m.phase, "running");
  const late = newMember("app2", "b", "starting", 0);
  assert.equal(judge(late, "running", false, HC, 900, 900_001, "restart"), "restart", "never healthy within the startup time");
});
