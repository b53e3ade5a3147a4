// CIDR arithmetic of the stacks: the frontends' fixed addresses and their zones' subnets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { hostInCidr, splitCidr } from "../../constructs/validate";

test("a host number of a range is its address, like Terraform's cidrhost", () => {
  assert.equal(hostInCidr("10.10.1.0/24", 10), "10.10.1.10");
  assert.equal(hostInCidr("10.10.1.77/24", 10), "10.10.1.10", "host bits of the range are dropped");
  assert.equal(hostInCidr("10.10.1.128/25", 10), "10.10.1.138");
  assert.throws(() => hostInCidr("172.30.77.16/29", 7), /has no host number 7/);
});

test("a range is cut into equal subnets, one per frontend zone, like Terraform's cidrsubnet", () => {
  assert.deepEqual(splitCidr("10.10.1.0/24", 2), ["10.10.1.0/25", "10.10.1.128/25"]);
  assert.deepEqual(splitCidr("10.10.1.0/24", 3), ["10.10.1.0/26", "10.10.1.64/26", "10.10.1.128/26"]);
  assert.deepEqual(splitCidr("172.30.77.16/28", 2), ["172.30.77.16/29", "172.30.77.24/29"]);
  assert.deepEqual(splitCidr("10.10.1.0/24", 1), ["10.10.1.0/24"]);
  assert.throws(() => splitCidr("172.30.77.16/28", 3), /too small for 3 subnets/);
});
