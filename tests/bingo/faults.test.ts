// The faults a deployment must survive: the end of the 20-25 min lifetime
// (exit, degraded or leak) and the /operation values that break the process.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { planFaults, operationFault } from "../../bingo/faults";
import { TestCluster } from "./support/postgres";
import { preparedInstallation } from "./support/prepared";
import { Installation, RunningServer, readLogLines, standinEnv, startServer, waitFor } from "./support/standin";

const EMAIL = "faults-test@example.com";

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : 0;
}

async function get(server: RunningServer, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(server.base + path);
  return { status: res.status, body: await res.text() };
}

async function operation(server: RunningServer, value: number): Promise<number> {
  try {
    const res = await fetch(server.base + "/operation", { method: "POST", body: JSON.stringify({ operation: value }) });
    await res.text();
    return res.status;
  } catch {
    return 0; // the connection died with the process
  }
}

async function assertDegraded(server: RunningServer): Promise<void> {
  await waitFor("/ping to answer I feel bad", 10_000, async () => ((await get(server, "/ping")).status === 500 ? true : undefined));
  assert.deepEqual(await get(server, "/ping"), { status: 500, body: "I feel bad" });
  const other = await get(server, "/api/movie/1");
  assert.equal(other.status, 500);
  assert.match(other.body, /We all gonna die/);
}

async function assertLeaking(server: RunningServer): Promise<void> {
  const pid = server.child.pid ?? 0;
  const before = rssMb(pid);
  await new Promise((r) => setTimeout(r, 3000));
  const grown = rssMb(pid) - before;
  console.log(`resident memory grew by ${grown.toFixed(0)} MB in 3 s`);
  assert.ok(grown > 30, `grew ${grown} MB`);
}

describe("bingo faults", () => {
  let pg: TestCluster;
  let inst: Installation;
  let server: RunningServer | undefined;

  before(async () => {
    ({ pg, inst } = await preparedInstallation(EMAIL, "0.001"));
  });
  after(async () => {
    await server?.stop();
    inst?.restore();
    pg?.stop();
  });

  const run = async (extra: Record<string, string> = {}) => {
    await server?.stop();
    server = await startServer(standinEnv(extra));
    return server;
  };

  test("the real schedule: 20-25 min, the same for processes started in the same minute", async () => {
    const minute = Date.parse("2023-11-21T15:37:00Z");
    const a = planFaults(minute + 1_000, undefined);
    const b = planFaults(minute + 59_000, undefined);
    assert.deepEqual(a, b);
    const kinds = new Set<string>();
    for (let m = 0; m < 200; m++) {
      const plan = planFaults(minute + m * 60_000, undefined);
      assert.ok(plan.lifetimeS >= 1200 && plan.lifetimeS < 1500);
      kinds.add(plan.kind);
    }
    assert.deepEqual([...kinds].sort(), ["degraded", "exit", "leak"]);

    const s = await run();
    const scheduled = readLogLines(inst.logFile).filter((l) => l.msg === "lifetime scheduled" && l.context && (l.context as { pid: number }).pid === s.child.pid);
    assert.equal(scheduled.length, 1);
    assert.ok((scheduled[0].lifetimeS as number) >= 1200);
  });

  test("end of lifetime: exit", async () => {
    const s = await run({ BINGO_LIFETIME_S: "1:exit" });
    const code = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r("alive"), 10_000))]);
    assert.ok(code === 0 || code === 1, `exit code ${String(code)}`);
  });

  test("end of lifetime: degraded", async () => {
    const s = await run({ BINGO_LIFETIME_S: "1:degraded" });
    assert.equal((await get(s, "/ping")).body, "pong");
    await assertDegraded(s);
  });

  test("end of lifetime: memory leak", async () => {
    const s = await run({ BINGO_LIFETIME_S: "0.5:leak" });
    await new Promise((r) => setTimeout(r, 600));
    await assertLeaking(s);
    assert.equal((await get(s, "/ping")).body, "pong");
  });

  test("operation values pick the fault from bits 0xF00000000", () => {
    assert.equal(operationFault(12884901888), "leak");
    assert.equal(operationFault(17179869184 + 7), "panic");
    assert.equal(operationFault(21474836480), "degraded");
    assert.equal(operationFault(42), undefined);
    assert.equal(operationFault(0x6_0000_0000), undefined);
  });

  test("POST /operation 0x3.. leaks memory", async () => {
    const s = await run();
    assert.equal(await operation(s, 12884901888), 200);
    await assertLeaking(s);
  });

  test("POST /operation 0x4.. panics: the process exits non-zero", async () => {
    const s = await run();
    await operation(s, 17179869184);
    const code = await s.exited;
    assert.equal(code, 2);
    assert.match(s.stderr(), /^panic: /m);
  });

  test("POST /operation 0x5.. degrades: /ping 500, every other request 500", async () => {
    const s = await run();
    assert.equal(await operation(s, 21474836480), 500);
    await assertDegraded(s);
  });
});
