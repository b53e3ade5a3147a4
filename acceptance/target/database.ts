// Read-only questions to the database, asked on the DB cluster's leader (the primary)
// with psql as postgres: the same path works locally and in the cloud, where 5432/6432
// are closed to us. A replica could lag behind, so it is never asked.
import { setTimeout as sleep } from "node:timers/promises";
import { PATRONI_URL, type DbCluster } from "./patroni.js";
import { runOn } from "./ssh.js";
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

/** psql's unaligned, tab-separated output as rows of strings. */
function rows(out: string): string[][] {
  return out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
}

/** Exit code of a query whose node no longer leads (its Patroni's /primary did not answer 200). */
const NOT_PRIMARY = 86;
/** Attempts at a query while the leader moves (a failover takes seconds). */
const LEADER_ATTEMPTS = 5;

export class Database {
  constructor(
    private readonly cluster: DbCluster,
    private readonly name = "bingo",
  ) {}

  /**
   * Rows of a query as arrays of strings (psql unaligned, tab-separated), asked on the
   * leader. The node checks that it still leads right before psql (Patroni's /primary);
   * if it does not, or cannot be reached, the leader is looked up again.
   */
  async query(sql: string, timeoutMs = 120_000): Promise<string[][]> {
    const command = `curl -fsS -o /dev/null -m 5 ${PATRONI_URL}/primary || exit ${NOT_PRIMARY}; sudo -u postgres psql -X -q -d ${shellQuote(this.name)} -AtF $'\\t' -c ${shellQuote(sql)}`;
    let why = "";
    for (let attempt = 0; attempt < LEADER_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(2_000 * attempt);
      const node = attempt === 0 && this.cluster.knownLeader ? this.cluster.knownLeader : await this.cluster.leader().catch((err: Error) => err);
      if (node instanceof Error) {
        why = node.message;
        continue;
      }
      const r = await runOn(node, command, timeoutMs);
      if (r.code === 0) return rows(r.stdout);
      why = r.code === NOT_PRIMARY ? `${node.name} is not the primary (any more)` : `on ${node.name}: psql exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 300)}`;
      // ssh could not reach the node (255), or it does not lead: look for the leader again.
      if (r.code !== NOT_PRIMARY && r.code !== 255) break;
    }
    throw new Error(`database query failed: ${why}`);
  }

  /** Which of the given session ids have a row. */
  async existingSessions(ids: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids.slice(i, i + 1_000).map((id) => Math.floor(id));
      for (const [id] of await this.query(`SELECT id FROM sessions WHERE id = ANY('{${chunk.join(",")}}'::bigint[])`)) found.add(Number(id));
    }
    return found;
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
