// What a user sees from outside: the root page, /ping, HTTPS and plain HTTP, HTTP/3.
import { HttpClient } from "../driver/http.js";
import type { Inventory } from "../target/inventory.js";
import { firstOf, nodesOf } from "../target/inventory.js";
import { runOn } from "../target/ssh.js";
import { guarded, verdict, type CheckResult } from "./result.js";

function withScheme(url: URL, scheme: "http:" | "https:"): string {
  const u = new URL(url.toString());
  u.protocol = scheme;
  u.port = "";
  return u.origin;
}

async function get(origin: string, path: string) {
  const client = new HttpClient(origin, { connections: 1, timeoutMs: 10_000 });
  try {
    return await client.send("GET", path);
  } finally {
    await client.close();
  }
}

export async function serviceChecks(url: URL): Promise<CheckResult[]> {
  return [
    ...(await guarded("root page", "GET / answers 200 with code index_page_is_awesome", async () => {
      const res = await get(url.origin, "/");
      const ok = res.status === 200 && res.body.includes("index_page_is_awesome");
      return { check: "root page", verdict: verdict(ok), figure: `${res.status}${res.body.includes("index_page_is_awesome") ? ", code found" : ", no code"}`, requirement: "200 + index_page_is_awesome" };
    })),
    ...(await guarded("signs of life", "GET /ping answers 200 pong", async () => {
      const res = await get(url.origin, "/ping");
      return { check: "signs of life", verdict: verdict(res.status === 200 && res.body.trim() === "pong"), figure: `${res.status} ${res.body.trim().slice(0, 20)}`, requirement: "200 pong" };
    })),
    ...(await guarded("HTTPS", "https:// answers (self-signed accepted)", async () => {
      const res = await get(withScheme(url, "https:"), "/ping");
      return { check: "HTTPS", verdict: verdict(res.status === 200 && res.body.trim() === "pong"), figure: `${res.status} ${res.body.trim().slice(0, 20)}`, requirement: "https /ping 200 pong" };
    })),
    ...(await guarded("plain HTTP, no redirect", "http:// answers itself, no 3xx", async () => {
      const res = await get(withScheme(url, "http:"), "/");
      const ok = res.status === 200;
      return { check: "plain HTTP, no redirect", verdict: verdict(ok), figure: `${res.status}${res.headers.location ? ` -> ${res.headers.location}` : ""}`, requirement: "http / 200, no 3xx" };
    })),
  ];
}

/** HTTP/3 needs a curl built with it: the nodes (Debian trixie) have one, this host may not. */
export async function http3Check(inventory: Inventory, url: URL): Promise<CheckResult[]> {
  return guarded("HTTP/3", "https over QUIC answers 200", async () => {
    const frontend = firstOf(inventory, "frontend");
    const from = nodesOf(inventory, "app")[0] ?? frontend;
    const target = from === frontend ? "127.0.0.1" : frontend.privateAddress;
    const host = inventory.kind === "cloud" ? url.hostname : "localhost";
    const r = await runOn(from, `curl --http3-only -k -sS -m 10 -o /dev/null -H 'Host: ${host}' -w '%{http_version} %{http_code}' https://${target}/ping`, 30_000);
    const figure = (r.stdout.trim() || r.stderr.trim()).slice(0, 80);
    return { check: "HTTP/3", verdict: verdict(r.code === 0 && r.stdout.trim() === "3 200"), figure: `${figure} (curl on ${from.name})`, requirement: "HTTP/3 200" };
  });
}
