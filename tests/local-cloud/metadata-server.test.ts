// The local stand-in of the metadata service and Lockbox: a VM gets its own account's
// token, and Lockbox hands a secret's payload only to the accounts granted it, so on
// the local nodes as in the cloud the app nodes cannot read the DB cluster's secret.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { applyLocally, type CloudState } from "../../local-cloud/apply";
import { cloudHandlers } from "../../local-cloud/metadata-server";
import { LOCAL_NODES, synthLocalStacks } from "./local-nodes";

const NODES = LOCAL_NODES;

/** The cloud state the local apply makes of the synthesized stacks. */
function appliedState(): CloudState {
  return applyLocally(synthLocalStacks("bingo-metadata-"), NODES).state;
}

describe("the metadata and Lockbox stand-in (local-cloud/metadata-server.ts)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-metadata-state-"));
  const stateFile = path.join(dir, "cloud.json");
  let state: CloudState;
  let servers: http.Server[] = [];
  let metadata = "";
  let lockbox = "";

  before(async () => {
    state = appliedState();
    const handlers = cloudHandlers(stateFile, path.join(dir, "no-binary"));
    const listen = async (handler: http.RequestListener): Promise<string> => {
      const server = http.createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    metadata = await listen(handlers.metadata);
    lockbox = await listen(handlers.lockbox);
  });
  after(() => {
    servers.forEach((s) => s.close());
    servers = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the node's VM reads from a secret by name: its HTTP status and the entry keys it got. */
  async function readAs(node: string, secretName: string): Promise<{ status: number; keys: string[] }> {
    // The stand-in knows a caller by its address: here every call comes from 127.0.0.1.
    const instance = Object.values(state.instances).find((i) => i.node === node);
    assert.ok(instance, `no instance ${node}`);
    fs.writeFileSync(stateFile, JSON.stringify({ ...state, instances: { "127.0.0.1": instance } }));
    const token = (await (await fetch(`${metadata}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { "Metadata-Flavor": "Google" } })).json()) as {
      access_token: string;
    };
    const secretId = Object.entries(state.secrets).find(([, s]) => s.name === secretName)?.[0];
    assert.ok(secretId, `no secret ${secretName}`);
    const res = await fetch(`${lockbox}/lockbox/v1/secrets/${secretId}/payload`, { headers: { Authorization: `Bearer ${token.access_token}` } });
    const body = (await res.json()) as { entries?: { key: string }[] };
    return { status: res.status, keys: (body.entries ?? []).map((e) => e.key) };
  }

  it("serves the DB nodes both the database password and the cluster's secret", async () => {
    for (const node of ["db1", "db2", "db3"]) {
      assert.deepEqual(await readAs(node, "bingo-secrets"), { status: 200, keys: ["db_password"] }, node);
      assert.deepEqual(await readAs(node, "bingo-db-secrets"), { status: 200, keys: ["cluster_secret"] }, node);
    }
  });

  it("serves the app nodes the database password and refuses them the cluster's secret", async () => {
    for (const node of ["app1", "app2"]) {
      assert.deepEqual(await readAs(node, "bingo-secrets"), { status: 200, keys: ["db_password"] }, node);
      assert.deepEqual(await readAs(node, "bingo-db-secrets"), { status: 403, keys: [] }, node);
    }
  });
});
