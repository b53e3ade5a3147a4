// The real binary's first act in run_server: an HTTP request to http://8.8.8.8/.
// Where the network silently drops it, start-up waits for the 30 s timeout;
// where it is refused at once, start is fast and the google_dns block is printed.
// Only the address differs: BINGO_STARTUP_PROBE=host:port (default 8.8.8.8:80).
import { connect } from "node:net";

const PROBE_TIMEOUT_MS = 30_000;
export const DEFAULT_PROBE = "8.8.8.8:80";

export type ProbeOutcome = "answered" | "refused" | "timeout";

export function probeAddress(): { host: string; port: number } {
  const text = process.env.BINGO_STARTUP_PROBE || DEFAULT_PROBE;
  const colon = text.lastIndexOf(":");
  const host = colon > 0 ? text.slice(0, colon) : text;
  const port = colon > 0 ? Number(text.slice(colon + 1)) : 80;
  return { host, port: Number.isInteger(port) && port > 0 ? port : 80 };
}

/** Send `GET /` to the probe address; resolves when it answers, fails, or after 30 s. */
export function runStartupProbe(): Promise<ProbeOutcome> {
  const { host, port } = probeAddress();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish("timeout"), PROBE_TIMEOUT_MS);
    socket.once("connect", () => socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.once("data", () => finish("answered"));
    socket.once("end", () => finish("answered"));
    socket.once("error", () => finish("refused"));
  });
}
