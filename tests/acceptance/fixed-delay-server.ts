// A target with a known answer time: every request is answered "ok" after a fixed
// delay. Run as its own process so it never competes with the driver's event loop;
// prints the port it listens on (127.0.0.1 only).
import { createServer } from "node:http";

const delayMs = Number(process.env.DELAY_MS ?? 20);
const server = createServer((req, res) => {
  req.resume();
  setTimeout(() => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    res.end("ok");
  }, delayMs);
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
