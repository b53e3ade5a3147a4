// Every response carries the server time (header, and body field for JSON) so a
// tester can tell a cached answer from a fresh one.
import { ServerResponse } from "node:http";

export function serverTime(): string {
  return new Date().toISOString();
}

export function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const now = serverTime();
  const payload = JSON.stringify({ ...body, server_time: now });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(payload),
    "X-Server-Time": now,
    ...headers,
  });
  res.end(payload);
}

/** JSON whose fields are already encoded (large lists built by the database), plus server_time. */
export function sendEncodedJson(res: ServerResponse, status: number, encodedFields: Record<string, string>): void {
  const now = serverTime();
  const fields = Object.entries(encodedFields).map(([key, json]) => `${JSON.stringify(key)}:${json}`);
  const payload = Buffer.from(`{${[...fields, `"server_time":${JSON.stringify(now)}`].join(",")}}`);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": payload.length,
    "X-Server-Time": now,
  });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "X-Server-Time": serverTime(),
  });
  res.end(text);
}

/** A failure the client caused or should see, with the status to answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
