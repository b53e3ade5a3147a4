// One keep-alive connection pool per target origin (undici). Self-signed
// certificates are accepted: the customer allows them on the HTTPS endpoint.
import { Pool } from "undici";

export interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClientOptions {
  /** Parallel connections; the open model needs enough for every outstanding request. */
  connections?: number;
  /** Give up on an answer after this long (ms). */
  timeoutMs?: number;
}

export class HttpClient {
  readonly origin: string;
  private readonly pool: Pool;

  constructor(origin: string, options: HttpClientOptions = {}) {
    this.origin = new URL(origin).origin;
    const timeout = options.timeoutMs ?? 10_000;
    this.pool = new Pool(this.origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 10_000,
      connect: { rejectUnauthorized: false, timeout: 5_000 },
    });
  }

  async send(method: string, path: string, body?: unknown): Promise<Exchange> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.pool.request({
      method: method as "GET",
      path,
      body: payload,
      headers: payload === undefined ? {} : { "content-type": "application/json" },
    });
    const text = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    return { status: res.statusCode, headers, body: text };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A short description of a failed request for the report (timeout, refused, ...). */
export function errorKind(err: unknown): string {
  if (err && typeof err === "object") {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === "string") return name;
  }
  return "error";
}
