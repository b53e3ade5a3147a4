// A second run of the playbooks on a converged installation changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runScript } from "./support/frontend";

test("the second playbook run reports changed=0 on every host", async () => {
  const out = await runScript("scripts/ansible-idempotence.sh", [], 20 * 60_000);
  console.log(out.split("\n").filter((line) => /ok=|took|idempotent/.test(line)).join("\n"));
  assert.match(out, /every host reports changed=0/);
});
