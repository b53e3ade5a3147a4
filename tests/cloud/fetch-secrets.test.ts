// The boot-time helper that reads a VM's secrets from Lockbox, against a local
// stand-in of the metadata service and the Lockbox payload API (loopback only).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";

const SCRIPT = path.resolve(__dirname, "..", "..", "constructs", "files", "bingo-fetch-secrets.py");

describe("bingo-fetch-secrets", () => {
  let server: http.Server;
  let base = "";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-fetch-secrets-"));

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/token" && req.headers["metadata-flavor"] === "Google") {
        res.end(JSON.stringify({ access_token: "t0ken", expires_in: 3600, token_type: "Bearer" }));
      } else if (req.url === "/lockbox/v1/secrets/sec1/payload" && req.headers.authorization === "Bearer t0ken") {
        res.end(JSON.stringify({ entries: [{ key: "db_password", textValue: "s3cret pass" }, { key: "other", textValue: "x" }], versionId: "v1" }));
      } else if (req.url === "/lockbox/v1/secrets/sec3/payload" && req.headers.authorization === "Bearer t0ken") {
        res.end(JSON.stringify({ entries: [{ key: "cluster_secret", textValue: "clust3r" }], versionId: "v1" }));
      } else {
        res.statusCode = 403;
        res.end(JSON.stringify({ message: "Permission denied" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Asynchronous: the stand-in server answers from this same process.
  const run = (...args: string[]): Promise<{ status: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn("python3", [SCRIPT, ...args], {
        env: { ...process.env, BINGO_METADATA_URL: `${base}/token`, BINGO_LOCKBOX_URL: base, BINGO_FETCH_ATTEMPTS: "2", BINGO_FETCH_PAUSE_S: "0" },
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (status) => resolve({ status, stderr }));
    });

  it("writes the named entries as Ansible extra vars, readable by root only", async () => {
    const out = path.join(dir, "secrets.json");
    const r = await run("sec1", out, "bingo_db_password=db_password");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, "utf8")), { bingo_db_password: "s3cret pass" });
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  });

  it("reads several secrets, each with its own entries, into one file", async () => {
    const out = path.join(dir, "two.json");
    const r = await run("sec1", out, "bingo_db_password=db_password", "sec3", "bingo_db_cluster_secret=cluster_secret");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, "utf8")), { bingo_db_password: "s3cret pass", bingo_db_cluster_secret: "clust3r" });
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  });

  it("writes nothing when one of several secrets cannot be read, and names it", async () => {
    const out = path.join(dir, "half.json");
    const r = await run("sec1", out, "bingo_db_password=db_password", "sec2", "bingo_db_cluster_secret=cluster_secret");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /may read secret sec2 \(lockbox\.payloadViewer\)/);
    assert.ok(!fs.existsSync(out));
  });

  it("names a missing entry and writes nothing", async () => {
    const out = path.join(dir, "missing.json");
    const r = await run("sec1", out, "bingo_db_password=db_pass");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /has no entry db_pass/);
    assert.ok(!fs.existsSync(out));
  });

  it("retries a refused read, then says which grant to check", async () => {
    const out = path.join(dir, "denied.json");
    const r = await run("sec2", out, "bingo_db_password=db_password");
    assert.notEqual(r.status, 0);
    assert.equal(r.stderr.match(/attempt \d: cannot read secret sec2: HTTP Error 403/g)?.length, 2);
    assert.match(r.stderr, /lockbox\.payloadViewer/);
    assert.ok(!fs.existsSync(out));
  });

  it("refuses a malformed call with its usage", async () => {
    for (const args of [["sec1", path.join(dir, "x.json"), "no-equals-sign"], ["sec1", path.join(dir, "x.json"), "a=b", "sec3"]]) {
      const r = await run(...args);
      assert.notEqual(r.status, 0, args.join(" "));
      assert.match(r.stderr, /usage: bingo-fetch-secrets SECRET_ID OUT_FILE VAR=KEY \[VAR=KEY \.\.\.\] \[SECRET_ID VAR=KEY \.\.\.\]/);
    }
    assert.ok(!fs.existsSync(path.join(dir, "x.json")));
  });
});
