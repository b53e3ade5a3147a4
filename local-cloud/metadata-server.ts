// The local stand-in of the cloud services a VM calls at boot, on one address of the
// local network (the host DNATs 169.254.169.254:80 to it, and the nodes resolve the
// Lockbox API's name to it):
//   http  GET /computeMetadata/v1/instance/service-accounts/default/token
//         the token of the VM's service account (the caller is known by its address)
//   https GET /lockbox/v1/secrets/<id>/payload   the payload, if the token's account
//         holds lockbox.payloadViewer on that secret
//   http  GET /bingo   the binary, as object storage serves it in the cloud
//
//   node --import tsx local-cloud/metadata-server.ts ADDRESS CLOUD_JSON BINARY TLS_CERT TLS_KEY
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { CloudState } from "./apply";
import { runCli } from "./cli";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token";
const PAYLOAD_PATH = /^\/lockbox\/v1\/secrets\/([a-z0-9]+)\/payload$/;
const VIEWER_ROLES = new Set(["lockbox.payloadViewer", "lockbox.editor", "lockbox.admin"]);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

const callerAddress = (req: http.IncomingMessage) => (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");

/** The two services; state is re-read on every call, so a new apply needs no restart. */
export function cloudHandlers(stateFile: string, binary: string): { metadata: Handler; lockbox: Handler } {
  const tokens = new Map<string, string>();
  const state = () => JSON.parse(fs.readFileSync(stateFile, "utf8")) as CloudState;

  const metadata: Handler = (req, res) => {
    const url = new URL(req.url ?? "/", "http://metadata");
    if (req.method === "GET" && url.pathname === "/bingo") {
      fs.stat(binary, (err, st) => {
        if (err) return json(res, 404, { message: `no object ${url.pathname}` });
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": st.size });
        fs.createReadStream(binary).pipe(res);
      });
      return;
    }
    if (req.method !== "GET" || url.pathname !== TOKEN_PATH) return json(res, 404, { message: "not found" });
    if (req.headers["metadata-flavor"] !== "Google") return json(res, 403, { message: "Missing Metadata-Flavor: Google header" });
    const instance = state().instances[callerAddress(req)];
    if (!instance?.serviceAccountId) return json(res, 404, { message: "no service account is attached to this instance" });
    const token = `t1.local.${randomBytes(24).toString("hex")}`;
    tokens.set(token, instance.serviceAccountId);
    json(res, 200, { access_token: token, expires_in: 43200, token_type: "Bearer" });
  };

  const lockbox: Handler = (req, res) => {
    const m = PAYLOAD_PATH.exec(new URL(req.url ?? "/", "https://lockbox").pathname);
    if (req.method !== "GET" || !m) return json(res, 404, { code: 5, message: "not found" });
    const account = tokens.get(/^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    if (!account) return json(res, 401, { code: 16, message: "The token is invalid" });
    const s = state();
    const allowed = s.grants.some((g) => g.secretId === m[1] && g.member === `serviceAccount:${account}` && VIEWER_ROLES.has(g.role));
    const secret = s.secrets[m[1]];
    if (!allowed || !secret) return json(res, 403, { code: 7, message: `Permission denied to secret ${m[1]}` });
    json(res, 200, {
      entries: Object.entries(secret.entries).map(([key, textValue]) => ({ key, textValue })),
      versionId: `${m[1]}v1`,
    });
  };
  return { metadata, lockbox };
}

function logged(name: string, handler: Handler): Handler {
  return (req, res) => {
    res.on("finish", () => console.log(`${new Date().toISOString()} ${name} ${callerAddress(req)} ${req.method} ${req.url} ${res.statusCode}`));
    handler(req, res);
  };
}

function main(argv: string[]): void {
  const [address, stateFile, binary, cert, key] = argv;
  if (!address || !stateFile || !binary || !cert || !key) {
    throw new Error("usage: metadata-server.ts ADDRESS CLOUD_JSON BINARY TLS_CERT TLS_KEY");
  }
  const { metadata, lockbox } = cloudHandlers(stateFile, binary);
  http.createServer(logged("metadata", metadata)).listen(80, address);
  https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, logged("lockbox", lockbox)).listen(443, address);
  console.log(`${new Date().toISOString()} serving the metadata service and object storage on http://${address}/, Lockbox on https://${address}/`);
}

if (require.main === module) runCli(main);
