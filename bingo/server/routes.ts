// The endpoints of the real binary. Bad input gets a 4xx with a message and
// changes nothing; database trouble gets a 500 that says what happened.
import { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import { FaultState, operationFault } from "../faults";
import { ListAnswer, SESSION_ROW_JSON, SQL, SessionRow, listAsJson, queryWithTimeout, sessionView } from "../db/queries";
import { HttpError, sendEncodedJson, sendJson, sendText } from "./respond";

const MAX_BODY_BYTES = 64 * 1024;

const INDEX_PAGE = `Hi there!

Congratulations, the bingo service is up and answering.
It keeps the history of cinema sessions: movies, customers and who watched what.
Ask /api/movie, /api/customer or /api/session to see it, or /ping to see how it feels.

------------------------------------------------------------
If you can read this, the index page works.

code: index_page_is_awesome
------------------------------------------------------------
`;

export interface RouteContext {
  pool: pg.Pool;
  faults: FaultState;
}

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, id?: number) => Promise<void> | void;

function parseId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new HttpError(400, `id must be a positive integer, got '${decodeURIComponent(text)}'`);
  return Number(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "request body must be a JSON object");
  return body as Record<string, unknown>;
}

function requireInteger(body: Record<string, unknown>, field: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = body[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new HttpError(400, `field '${field}' must be a non-negative integer`);
  }
  return value;
}

const INT4_MAX = 2_147_483_647;

function notFound(what: string, id: number): never {
  throw new HttpError(404, `${what} ${id} not found`);
}

/** A list answer: {"count", "items"} with the items encoded by the database. */
async function sendList(ctx: RouteContext, res: ServerResponse, sql: string): Promise<void> {
  const [answer] = await queryWithTimeout<ListAnswer>(ctx.pool, sql);
  sendEncodedJson(res, 200, { count: String(answer.count), items: answer.items });
}

/** GET of one row by id: the row as its query shapes it, or 404 naming what is missing. */
const oneRow =
  (what: string, sql: string): Handler =>
  async (ctx, _req, res, id = 0) => {
    const rows = await ctx.pool.query<Record<string, unknown>>(sql, [id]);
    if (rows.rowCount === 0) notFound(what, id);
    sendJson(res, 200, rows.rows[0]);
  };

const handlers = {
  index: (_ctx, _req, res) => sendText(res, 200, INDEX_PAGE),
  ping: (ctx, _req, res) => (ctx.faults.degraded ? sendText(res, 500, "I feel bad") : sendText(res, 200, "pong")),
  longDummy: async (_ctx, _req, res) => {
    const delayMs = 1200 + Math.floor(Math.random() * 300);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    sendJson(res, 200, { message: "long dummy is done", took_ms: delayMs });
  },
  dbDummy: async (ctx, _req, res) => {
    await ctx.pool.query(SQL.dbDummy);
    sendJson(res, 200, { message: "db dummy is done" });
  },
  operation: async (ctx, req, res) => {
    const body = await readJson(req);
    const operation = requireInteger(body, "operation");
    const fault = operationFault(operation);
    if (fault === "panic") {
      res.socket?.destroy();
      ctx.faults.panic(operation);
    }
    if (fault === "degraded") {
      ctx.faults.degrade();
      throw new HttpError(500, "We all gonna die");
    }
    if (fault === "leak") ctx.faults.startLeak();
    sendJson(res, 200, { operation, result: "done" });
  },
  movieList: async (ctx, _req, res) => {
    await sendList(ctx, res, listAsJson(SQL.movies(""), "row_to_json(t)"));
  },
  movie: oneRow("movie", SQL.movies("WHERE movies.id IN ($1)")),
  customerList: async (ctx, _req, res) => {
    await sendList(ctx, res, listAsJson(SQL.customers(""), "row_to_json(t)"));
  },
  customer: oneRow("customer", SQL.customers("WHERE customers.id IN ($1)")),
  sessionList: async (ctx, _req, res) => {
    await sendList(ctx, res, listAsJson(SQL.sessions(""), SESSION_ROW_JSON));
  },
  session: async (ctx, _req, res, id = 0) => {
    const rows = await ctx.pool.query<SessionRow>(SQL.sessions("WHERE sessions.id IN ($1)"), [id]);
    if (rows.rowCount === 0) notFound("session", id);
    sendJson(res, 200, sessionView(rows.rows[0]));
  },
  createSession: async (ctx, req, res) => {
    const body = await readJson(req);
    const startTime = body.start_time;
    if (typeof startTime !== "string" || Number.isNaN(Date.parse(startTime))) {
      throw new HttpError(400, "field 'start_time' must be an RFC 3339 timestamp such as 2021-12-09T16:12:52.059188Z");
    }
    const customerId = requireInteger(body, "customer_id", INT4_MAX);
    const movieId = requireInteger(body, "movie_id", INT4_MAX);
    const rows = await ctx.pool.query<Record<string, unknown>>(SQL.insertSession, [startTime, customerId, movieId]);
    if (rows.rowCount === 0) throw new HttpError(422, `customer ${customerId} or movie ${movieId} does not exist; nothing was inserted`);
    sendJson(res, 201, rows.rows[0]);
  },
  deleteSession: async (ctx, _req, res, id = 0) => {
    const rows = await ctx.pool.query(SQL.deleteSession, [id]);
    if (rows.rowCount === 0) notFound("session", id);
    sendJson(res, 200, { deleted: rows.rows[0] });
  },
} satisfies Record<string, Handler>;

type MethodTable = Partial<Record<string, Handler>>;

const STATIC_ROUTES: Record<string, MethodTable> = {
  "/": { GET: handlers.index },
  "/ping": { GET: handlers.ping },
  "/long_dummy": { GET: handlers.longDummy },
  "/db_dummy": { GET: handlers.dbDummy },
  "/operation": { POST: handlers.operation },
  "/api/movie": { GET: handlers.movieList },
  "/api/customer": { GET: handlers.customerList },
  "/api/session": { GET: handlers.sessionList, POST: handlers.createSession },
};

const ID_ROUTES: Record<string, MethodTable> = {
  movie: { GET: handlers.movie },
  customer: { GET: handlers.customer },
  session: { GET: handlers.session, DELETE: handlers.deleteSession },
};

export interface Route {
  handler: Handler;
  id?: number;
}

/** Find the handler for a request, or throw the 404/405/400 the client deserves. */
export function route(method: string, pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  let table = STATIC_ROUTES[path];
  let id: number | undefined;
  if (!table) {
    const match = /^\/api\/(movie|customer|session)\/([^/]+)$/.exec(path);
    if (!match) throw new HttpError(404, `no such endpoint: ${path}`);
    table = ID_ROUTES[match[1]];
    const handler = table[method];
    if (handler) return { handler, id: parseId(match[2]) };
  }
  const handler = table[method];
  if (!handler) {
    const allowed = Object.keys(table).join(", ");
    throw new HttpError(405, `method ${method} not allowed on ${path}; use ${allowed}`, { Allow: allowed });
  }
  return { handler, id };
}
