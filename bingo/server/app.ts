// The HTTP layer: rate limit, degraded state, routing, error mapping and a log
// line per request, in that order, as the real binary behaves.
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import { Logger } from "../logger";
import { RouteContext, route } from "./routes";
import { HttpError, sendJson, sendText } from "./respond";
import { TokenBucket } from "./rate-limit";

const REQUESTS_PER_SECOND = 100;
const QUERY_CANCELED = "57014";

function describeFailure(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const pgCode = (err as { code?: string }).code;
  if (pgCode === QUERY_CANCELED) return new HttpError(500, "database query took longer than the 20 s limit and was canceled");
  // SQLSTATE class 22 (data exception: a date or number out of range) is the client's
  // input, not a server fault: a 5xx would make the balancer mark healthy nodes failed.
  if (typeof pgCode === "string" && pgCode.startsWith("22")) return new HttpError(400, `invalid input: ${(err as Error).message}`);
  return new HttpError(500, `database error: ${(err as Error).message}`);
}

export function createBingoServer(ctx: RouteContext, logger: Logger): Server {
  const bucket = new TokenBucket(REQUESTS_PER_SECOND, REQUESTS_PER_SECOND);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const pathname = new URL(req.url ?? "/", "http://bingo").pathname;
    if (!bucket.take()) {
      sendText(res, 429, "Too many requests");
      return;
    }
    if (ctx.faults.degraded && pathname !== "/ping") {
      sendJson(res, 500, { error: "We all gonna die" });
      return;
    }
    try {
      const { handler, id } = route(method, pathname);
      await handler(ctx, req, res, id);
    } catch (err) {
      const failure = describeFailure(err);
      if (!res.headersSent) sendJson(res, failure.status, { error: failure.message }, failure.headers);
      else res.destroy();
    }
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const remoteAddr = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    res.on("finish", () => {
      logger.info("request handled", {
        method: req.method,
        url: req.url,
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        remote_addr: remoteAddr,
        headers: req.headers,
      });
    });
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
