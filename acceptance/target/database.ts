// Read-only questions to the database, asked on the DB node with psql as postgres:
// the same path works locally and in the cloud, where 5432/6432 are closed to us.
import type { InventoryNode } from "./inventory.js";
import { mustRunOn } from "./ssh.js";
import { shellQuote } from "./shell-words.js";

export interface MaxIds {
  movies: number;
  customers: number;
  sessions: number;
}

/**
 * Rows prepare_db loads (bingo-spec.md): ids 1..N. Rows above are somebody's test
 * rows, which their owners may delete at any time, so they are neither "initial" nor
 * safe to read by id.
 */
export const INITIAL_ROWS: MaxIds = { movies: 29_019, customers: 500_000, sessions: 5_000_000 };

export interface InitialRowsDigest {
  /** Per table: row count and an order-independent hash sum of the initial rows. */
  [table: string]: { count: number; hash: string };
}

export class Database {
  constructor(
    private readonly node: InventoryNode,
    private readonly name = "bingo",
  ) {}

  /** Rows of a query as arrays of strings (psql unaligned, tab-separated). */
  async query(sql: string, timeoutMs = 120_000): Promise<string[][]> {
    const out = await mustRunOn(this.node, `sudo -u postgres psql -X -q -d ${shellQuote(this.name)} -AtF $'\\t' -c ${shellQuote(sql)}`, timeoutMs);
    return out
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => l.split("\t"));
  }

  /** One row as an object, through row_to_json (so types survive as JSON). */
  async rowJson(sql: string): Promise<Record<string, unknown> | undefined> {
    const rows = await this.query(`SELECT row_to_json(t) FROM (${sql}) t`);
    return rows[0] ? (JSON.parse(rows[0][0]) as Record<string, unknown>) : undefined;
  }

  async maxIds(): Promise<MaxIds> {
    const [[movies, customers, sessions]] = await this.query(
      "SELECT (SELECT max(id) FROM movies), (SELECT max(id) FROM customers), (SELECT max(id) FROM sessions)",
    );
    return { movies: Number(movies), customers: Number(customers), sessions: Number(sessions) };
  }

  /** The initial data's id ranges: prepare_db's ids, or fewer if the tables hold fewer. */
  async initialIds(): Promise<MaxIds> {
    const max = await this.maxIds();
    return { movies: Math.min(max.movies, INITIAL_ROWS.movies), customers: Math.min(max.customers, INITIAL_ROWS.customers), sessions: Math.min(max.sessions, INITIAL_ROWS.sessions) };
  }

  /** Count and hash sum of every row with id <= the initial maximum, per table. */
  async initialRowsDigest(max: MaxIds): Promise<InitialRowsDigest> {
    const part = (table: keyof MaxIds) =>
      `SELECT '${table}', count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM ${table} t WHERE id <= ${Math.floor(max[table])}`;
    const rows = await this.query(`${part("movies")} UNION ALL ${part("customers")} UNION ALL ${part("sessions")}`, 300_000);
    const digest: InitialRowsDigest = {};
    for (const [table, count, hash] of rows) digest[table] = { count: Number(count), hash };
    return digest;
  }

  /** Row counts of the initial rows only (cheap enough to take after every drill). */
  async initialRowCounts(max: MaxIds): Promise<Record<string, number>> {
    const [[movies, customers, sessions]] = await this.query(
      `SELECT (SELECT count(*) FROM movies WHERE id <= ${max.movies}), (SELECT count(*) FROM customers WHERE id <= ${max.customers}), (SELECT count(*) FROM sessions WHERE id <= ${max.sessions})`,
    );
    return { movies: Number(movies), customers: Number(customers), sessions: Number(sessions) };
  }
}
