// `prepare_db`: create the schema and load the initial data in one transaction,
// so a crash never leaves half a data set. Re-running is safe: complete data is
// left untouched, foreign rows without the completion mark are refused.
import pg from "pg";
import { Logger } from "../logger";
import { DATA_VERSION, SCHEMA_SQL, TableSizes } from "./schema";
import { customersInsert, moviesInsert, sessionsInsert } from "./seed-data";

export interface PrepareResult {
  alreadyPrepared: boolean;
  rows: TableSizes;
  seconds: number;
}

async function countRows(client: pg.PoolClient): Promise<TableSizes> {
  const { rows } = await client.query<{ movies: number; customers: number; sessions: number }>(
    `SELECT (SELECT count(*) FROM movies)::int AS movies, (SELECT count(*) FROM customers)::int AS customers,
            (SELECT count(*) FROM sessions)::int AS sessions`,
  );
  return rows[0];
}

export async function prepareDb(pool: pg.Pool, sizes: TableSizes, logger: Logger): Promise<PrepareResult> {
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(SCHEMA_SQL);
    // Two prepare_db runs at once must not both load: the second waits here, then sees the mark.
    await client.query("LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
    const mark = await client.query("SELECT 1 FROM schema_migrations WHERE version = $1 AND NOT dirty", [DATA_VERSION]);
    if (mark.rowCount) {
      const rows = await countRows(client);
      await client.query("COMMIT");
      logger.info("database already prepared, initial data left untouched", { rows });
      return { alreadyPrepared: true, rows, seconds: (Date.now() - started) / 1000 };
    }
    const existing = await countRows(client);
    if (existing.movies + existing.customers + existing.sessions > 0) {
      throw new Error(
        `tables movies/customers/sessions already hold ${existing.movies}/${existing.customers}/${existing.sessions} rows ` +
          "but no completed load is recorded in schema_migrations; refusing to add to or overwrite them " +
          "(restore the database from a dump, or drop these tables, then run prepare_db again)",
      );
    }
    for (const [table, sql] of [
      ["movies", moviesInsert(sizes.movies)],
      ["customers", customersInsert(sizes.customers)],
      ["sessions", sessionsInsert(sizes.sessions, sizes.customers, sizes.movies)],
    ] as const) {
      const t0 = Date.now();
      const result = await client.query(sql);
      logger.info("table loaded", { table, rows: result.rowCount, seconds: (Date.now() - t0) / 1000 });
    }
    // New sessions from POST /api/session must get ids after the initial ones.
    await client.query("SELECT setval(pg_get_serial_sequence('sessions', 'id'), $1)", [sizes.sessions]);
    await client.query("INSERT INTO schema_migrations (version, dirty) VALUES ($1, false)", [DATA_VERSION]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  await pool.query("ANALYZE movies, customers, sessions");
  return { alreadyPrepared: false, rows: sizes, seconds: (Date.now() - started) / 1000 };
}
