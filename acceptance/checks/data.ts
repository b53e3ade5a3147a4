// The API tells the truth about the database: answers for random ids equal the rows,
// list answers hold the rows, session writes round-trip, and the initial rows stay.
import type { Exchange } from "../driver/http.js";
import { randomId, type LoadContext } from "../load/context.js";
import { createdId, deleteCreated, newSessionBody } from "../load/mix.js";
import type { ListEndpoint } from "../load/list-loop.js";
import type { Database, InitialRowsDigest } from "../target/database.js";
import { guarded, verdict, type CheckResult } from "./result.js";

type Row = Record<string, unknown>;

/** Flattens nested answers: {customer: {id: 1}} also yields customer_id = 1. */
export function flatten(obj: Row, prefix = ""): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flatten(v as Row, key));
    else out[key] = v;
  }
  return out;
}

function sameValue(db: unknown, api: unknown): boolean {
  if (db === api) return true;
  if (db === null || api === null || db === undefined || api === undefined) return false;
  if (typeof db === "number" || typeof api === "number") return Number(db) === Number(api);
  // Rows hold scalars and, for dates, Date objects: String() gives text Date.parse reads.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const [a, b] = [String(db), String(api)];
  if (a === b) return true;
  // Dates and timestamps may come back in another notation or time zone.
  const dbTime = Date.parse(a.length > 10 && !/[zZ]$|[+-]\d\d:?\d\d$/.test(a) ? `${a}Z` : a);
  const apiTime = Date.parse(b);
  if (Number.isNaN(dbTime) || Number.isNaN(apiTime)) return false;
  return Math.abs(dbTime - apiTime) < (a.length <= 10 ? 86_400_000 : 1);
}

/** Fields of the DB row that the answer shows differently (those it lacks count too). */
export function rowDifferences(dbRow: Row, answer: Row): string[] {
  const flat = flatten(answer);
  return Object.entries(dbRow)
    .filter(([k, v]) => !sameValue(v, flat[k]))
    .map(([k, v]) => `${k}: db ${JSON.stringify(v)} api ${JSON.stringify(flat[k])}`);
}

const ENTITY = {
  movie: { table: "movies", columns: "id, name, year, duration", range: "movies" },
  customer: { table: "customers", columns: "id, name, surname, birthday, email", range: "customers" },
  session: { table: "sessions", columns: "id, start_time, customer_id, movie_id", range: "sessions" },
} as const;

export async function answersMatchRows(ctx: LoadContext, db: Database, send: (path: string) => Promise<Exchange>, perEntity = 10): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [name, e] of Object.entries(ENTITY)) {
    const check = `GET /api/${name}/{id} works correctly`;
    results.push(
      ...(await guarded(check, "answer = database row", async () => {
        const ids = Array.from({ length: perEntity }, () => randomId(ctx.ranges[e.range]));
        // One JSON row per line (json_agg would wrap lines).
        const rows = await db.query(`SELECT row_to_json(t) FROM (SELECT ${e.columns} FROM ${e.table} WHERE id IN (${ids.join(",")})) t`);
        const byId = new Map<number, Row>(rows.map(([json]) => JSON.parse(json) as Row).map((r) => [Number(r.id), r]));
        const problems: string[] = [];
        for (const id of ids) {
          const res = await send(`/api/${name}/${id}`);
          const row = byId.get(id);
          if (!row) {
            if (res.status !== 404) problems.push(`${id}: no such row, API answered ${res.status}`);
            continue;
          }
          if (res.status !== 200) {
            problems.push(`${id}: ${res.status}`);
            continue;
          }
          const body = JSON.parse(res.body) as Row | Row[];
          const diff = rowDifferences(row, Array.isArray(body) ? (body[0] ?? {}) : body);
          if (diff.length) problems.push(`${id}: ${diff.join(", ")}`);
        }
        return { check, verdict: verdict(problems.length === 0), figure: `${ids.length - problems.length}/${ids.length} random ids equal`, requirement: "every answer = its row", details: problems.slice(0, 3).join("; ") || undefined };
      })),
    );
  }
  return results;
}

/** Checks the first answer of a list endpoint: as many rows as the DB gives, rows equal. */
export async function listAnswerMatches(db: Database, endpoint: ListEndpoint, body: string): Promise<string[]> {
  const entity = endpoint.endsWith("movie") ? ENTITY.movie : endpoint.endsWith("customer") ? ENTITY.customer : ENTITY.session;
  const data = JSON.parse(body) as Row | Row[];
  const items = (Array.isArray(data) ? data : ((data.items ?? data.data ?? []) as Row[])) ?? [];
  const [[count]] = await db.query(`SELECT count(*) FROM (SELECT 1 FROM ${entity.table} LIMIT 100000) AS first_rows`);
  const problems: string[] = [];
  if (items.length !== Number(count)) problems.push(`${items.length} rows, database has ${count}`);
  for (const item of [items[0], items[Math.floor(items.length / 2)], items[items.length - 1]].filter(Boolean)) {
    const id = Number(item.id);
    const row = await db.rowJson(`SELECT ${entity.columns} FROM ${entity.table} WHERE id = ${Math.floor(id)}`);
    if (!row) problems.push(`row ${id} not in the database`);
    else problems.push(...rowDifferences(row, item).map((d) => `${id} ${d}`));
  }
  return problems;
}

export async function sessionRoundTrip(ctx: LoadContext, db: Database, send: (method: string, path: string, body?: unknown) => Promise<Exchange>): Promise<CheckResult[]> {
  const check = "POST /api/session works";
  return guarded(check, "create, read, delete round-trip", async () => {
    const body = newSessionBody(ctx);
    const created = await send("POST", "/api/session", body);
    const id = createdId(created.body);
    if (created.status < 200 || created.status >= 300 || id === undefined) throw new Error(`POST answered ${created.status} ${created.body.slice(0, 200)}`);
    ctx.created.add(id);
    const problems: string[] = [];
    const row = await db.rowJson(`SELECT id, start_time, customer_id, movie_id FROM sessions WHERE id = ${id}`);
    if (!row) problems.push(`row ${id} not in the database`);
    else problems.push(...rowDifferences({ customer_id: body.customer_id, movie_id: body.movie_id }, row));
    const read = await send("GET", `/api/session/${id}`);
    if (read.status !== 200) problems.push(`GET answered ${read.status}`);
    else if (row) problems.push(...rowDifferences(row, JSON.parse(read.body) as Row));
    const deleted = await deleteCreated(ctx, "checks", id);
    if (!deleted) problems.push("DELETE failed");
    const gone = await send("GET", `/api/session/${id}`);
    if (gone.status !== 404) problems.push(`GET after DELETE answered ${gone.status}`);
    const left = await db.query(`SELECT count(*) FROM sessions WHERE id = ${id}`);
    if (left[0][0] !== "0") problems.push("row still in the database");
    return { check, verdict: verdict(problems.length === 0), figure: `session ${id}: created ${created.status}, read, deleted, 404 after`, requirement: "POST -> row, GET = row, DELETE -> gone", details: problems.join("; ") || undefined };
  });
}

export function initialRowsCheck(before: InitialRowsDigest, after: InitialRowsDigest): CheckResult {
  const changed = Object.keys(before).filter((t) => before[t].count !== after[t]?.count || before[t].hash !== after[t]?.hash);
  return {
    check: "initial data stays",
    verdict: verdict(changed.length === 0),
    figure: Object.entries(after).map(([t, d]) => `${t} ${d.count}${changed.includes(t) ? ` (was ${before[t].count}, checksum changed)` : ""}`).join(", "),
    requirement: "count and checksum unchanged",
  };
}
