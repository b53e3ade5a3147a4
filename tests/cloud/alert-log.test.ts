// bingo-alert-log, the alertmanager role's webhook receiver: every Alertmanager notification
// becomes one line of the alert log that tests and operators read; anything else is refused.
// Run as a real process on loopback, with its log in a temporary folder.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";

const SCRIPT = path.resolve(__dirname, "..", "..", "ansible", "roles", "alertmanager", "files", "bingo-alert-log");

/** An Alertmanager webhook notification (version 4), as Alertmanager 0.28 sends it. */
function notification(status: "firing" | "resolved", instance: string) {
  return {
    receiver: "bingo-alert-log",
    status,
    alerts: [
      {
        status,
        labels: { alertname: "PatroniMemberDown", instance, job: "patroni", severity: "warning", tier: "db", installation: "bingo" },
        annotations: { summary: `Patroni on ${instance} does not answer`, description: "line one\nline two, \"quoted\", ünïcode" },
        startsAt: "2025-01-01T10:00:00.000Z",
        endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2025-01-01T10:05:00.000Z",
        generatorURL: "http://172.30.77.20:9090/graph?g0.expr=up%7Bjob%3D%22patroni%22%7D+%3D%3D+0",
        fingerprint: "5c1a0b9e3f0d2a71",
      },
    ],
    groupLabels: { alertname: "PatroniMemberDown", instance },
    commonLabels: { alertname: "PatroniMemberDown", instance },
    commonAnnotations: {} as Record<string, string>,
    externalURL: "http://172.30.77.20:9093/",
    version: "4",
    groupKey: `{}:{alertname="PatroniMemberDown", instance="${instance}"}`,
    truncatedAlerts: 0,
  };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe("bingo-alert-log", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-alert-log-"));
  const log = path.join(dir, "alerts.log");
  let child: ChildProcess;
  let base = "";
  let stderr = "";
  const lines = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l !== "") : []);
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn("python3", [SCRIPT, "--listen", `127.0.0.1:${port}`, "--log", log, "--max-body-bytes", "65536"]);
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${base}/-/healthy`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`bingo-alert-log did not start: ${stderr}`);
  });
  after(() => {
    child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers the health probe without touching the log", () => {
    assert.deepEqual(lines(), []);
  });

  it("appends each notification as one line holding the payload as sent, and answers 200", async () => {
    const firing = notification("firing", "db1");
    const resolved = notification("resolved", "db1");
    for (const n of [firing, resolved]) {
      const res = await post(JSON.stringify(n, null, 2));
      assert.equal(res.status, 200, await res.text());
    }
    const logged = lines();
    assert.equal(logged.length, 2);
    assert.deepEqual(logged.map((l) => JSON.parse(l) as unknown), [firing, resolved]);
    assert.ok(fs.readFileSync(log, "utf8").endsWith("}\n"));
  });

  it("refuses bodies that are not notifications with 400 and logs nothing", async () => {
    const before = lines().length;
    const bad = ["", "not json", "[1, 2]", '"text"', "{}", '{"status": "firing"}', '{"status": "firing", "alerts": {}}', '{"status": "firing", "alerts": [], "x": NaN}'];
    for (const body of bad) {
      const res = await post(body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} got ${res.status}`);
    }
    const invalidUtf8 = await fetch(`${base}/`, { method: "POST", body: Buffer.from([0x7b, 0xff, 0x7d]) });
    assert.equal(invalidUtf8.status, 400);
    assert.equal(lines().length, before);
  });

  it("refuses other paths and oversized bodies, and logs nothing", async () => {
    const before = lines().length;
    const elsewhere = await fetch(`${base}/alerts`, { method: "POST", body: JSON.stringify(notification("firing", "db2")) });
    assert.equal(elsewhere.status, 404);
    const big = notification("firing", "db2");
    big.commonAnnotations = { padding: "x".repeat(70_000) };
    const tooLarge = await post(JSON.stringify(big));
    assert.equal(tooLarge.status, 413);
    assert.equal(lines().length, before);
  });

  it("keeps concurrent notifications on lines of their own", async () => {
    const before = lines().length;
    const sent = Array.from({ length: 25 }, (_, i) => notification(i % 2 ? "firing" : "resolved", `db${i}`));
    const answers = await Promise.all(sent.map((n) => post(JSON.stringify(n))));
    assert.deepEqual(answers.map((a) => a.status), sent.map(() => 200));
    const logged = lines().slice(before).map((l) => JSON.parse(l) as { groupKey: string });
    assert.deepEqual(logged.map((n) => n.groupKey).sort(), sent.map((n) => n.groupKey).sort());
  });

  it("writes to a new file after the log is rotated away", async () => {
    fs.renameSync(log, `${log}.1`);
    const res = await post(JSON.stringify(notification("firing", "db3")));
    assert.equal(res.status, 200);
    assert.equal(lines().length, 1);
    assert.equal((JSON.parse(lines()[0]) as { groupKey: string }).groupKey, notification("firing", "db3").groupKey);
  });
});
