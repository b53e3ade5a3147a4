// The local stand-in of the frontends' balancer: when a target leaves and rejoins
// service, and the NAT rules that spread new flows over the targets in service.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BalancerState } from "../../local-cloud/apply";
import { chainRules, observe } from "../../local-cloud/balancer";

const hc = { port: 80, path: "/healthz", intervalS: 2, timeoutS: 1, healthyThreshold: 2, unhealthyThreshold: 2 };
const balancer: BalancerState = {
  listeners: [
    { port: 80, protocol: "tcp" },
    { port: 443, protocol: "udp" },
  ],
  targets: ["172.30.77.20", "172.30.77.28"],
  healthCheck: hc,
};

test("a target leaves service after unhealthy_threshold failed checks in a row and returns after healthy_threshold passes", () => {
  const t = { healthy: true, passes: 0, failures: 0 };
  assert.equal(observe(t, false, hc), false, "one failure is not enough");
  assert.equal(observe(t, true, hc), false);
  assert.equal(observe(t, false, hc), false);
  assert.equal(observe(t, false, hc), true, "the second failure in a row takes it out");
  assert.equal(t.healthy, false);
  assert.equal(observe(t, true, hc), false);
  assert.equal(observe(t, true, hc), true, "two passes bring it back");
  assert.equal(t.healthy, true);
});

test("new flows on every listener are spread evenly over the targets in service", () => {
  assert.deepEqual(chainRules("BINGO-LB", balancer, balancer.targets), [
    "-A BINGO-LB -p tcp --dport 80 -m statistic --mode random --probability 0.500000 -j DNAT --to-destination 172.30.77.20:80",
    "-A BINGO-LB -p tcp --dport 80 -j DNAT --to-destination 172.30.77.28:80",
    "-A BINGO-LB -p udp --dport 443 -m statistic --mode random --probability 0.500000 -j DNAT --to-destination 172.30.77.20:443",
    "-A BINGO-LB -p udp --dport 443 -j DNAT --to-destination 172.30.77.28:443",
  ]);
});

test("a drained or dead frontend gets no new flows; with none healthy, all of them do", () => {
  assert.deepEqual(chainRules("BINGO-LB", balancer, ["172.30.77.28"]), [
    "-A BINGO-LB -p tcp --dport 80 -j DNAT --to-destination 172.30.77.28:80",
    "-A BINGO-LB -p udp --dport 443 -j DNAT --to-destination 172.30.77.28:443",
  ]);
  assert.equal(chainRules("BINGO-LB", balancer, []).length, 4);
});
