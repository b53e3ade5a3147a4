// The queries the real binary was seen to run, verbatim in shape, so indexes
// help or hurt exactly as with the real one. All unnamed (pgbouncer-safe).
import pg from "pg";

export const LIST_LIMIT = 100_000;
/** App-side limit for a single query: list endpoints may exceed it without indexes. */
export const STATEMENT_TIMEOUT_MS = 20_000;

const MOVIE_COLUMNS = "movies.id, movies.name, movies.year, movies.duration";
const CUSTOMER_COLUMNS = "customers.id, customers.name, customers.surname, customers.birthday, customers.email";

export const SQL = {
  dbDummy: "SELECT pg_sleep(0.1)",
  movies: (where: string) =>
    `SELECT ${MOVIE_COLUMNS} FROM movies ${where} ORDER BY movies.year DESC, movies.name, movies.id DESC LIMIT ${LIST_LIMIT}`,
  customers: (where: string) =>
    `SELECT ${CUSTOMER_COLUMNS} FROM customers ${where} ORDER BY customers.surname, customers.name, customers.birthday DESC, customers.id DESC LIMIT ${LIST_LIMIT}`,
  sessions: (where: string) =>
    `SELECT sessions.id AS session_id, sessions.start_time, ` +
    `customers.id AS customer_id, customers.name AS customer_name, customers.surname AS customer_surname, ` +
    `customers.birthday AS customer_birthday, customers.email AS customer_email, ` +
    `movies.id AS movie_id, movies.name AS movie_name, movies.year AS movie_year, movies.duration AS movie_duration ` +
    `FROM sessions INNER JOIN customers ON sessions.customer_id = customers.id ` +
    `INNER JOIN movies ON sessions.movie_id = movies.id ${where} ` +
    `ORDER BY movies.year DESC, movies.name, customers.id, sessions.id DESC LIMIT ${LIST_LIMIT}`,
  insertSession:
    "INSERT INTO sessions (start_time, customer_id, movie_id) " +
    "SELECT $1::timestamptz AT TIME ZONE 'UTC', $2::int, $3::int " +
    "WHERE EXISTS (SELECT 1 FROM customers WHERE id = $2::int) AND EXISTS (SELECT 1 FROM movies WHERE id = $3::int) " +
    "RETURNING id, start_time, customer_id, movie_id",
  deleteSession: "DELETE FROM sessions WHERE id = $1 RETURNING id, start_time, customer_id, movie_id",
};

/**
 * A list endpoint's answer built inside the database: the spec's query unchanged as
 * a subquery (its LIMIT keeps it planned on its own, so indexes act as with the real
 * binary), its rows turned into one JSON array in their order. The server then
 * forwards one string instead of parsing and re-encoding 100,000 rows, which would
 * hold up every other request of this single-threaded process for a second; the
 * real binary, a Go program, serves its other requests meanwhile.
 */
export function listAsJson(listQuery: string, rowJson: string): string {
  return `SELECT count(*)::int AS count, coalesce(json_agg(${rowJson}), '[]')::text AS items FROM (${listQuery}) AS t`;
}

/** A row of the sessions query as JSON, in the shape sessionView gives a single row. */
export const SESSION_ROW_JSON =
  "json_build_object('id', t.session_id, 'start_time', (to_json(t.start_time) #>> '{}') || 'Z', " +
  "'customer', json_build_object('id', t.customer_id, 'name', t.customer_name, 'surname', t.customer_surname, " +
  "'birthday', t.customer_birthday, 'email', t.customer_email), " +
  "'movie', json_build_object('id', t.movie_id, 'name', t.movie_name, 'year', t.movie_year, 'duration', t.movie_duration))";

export interface ListAnswer {
  count: number;
  /** The rows as a JSON array, ready to send. */
  items: string;
}

export interface SessionRow {
  session_id: number;
  start_time: string;
  customer_id: number;
  customer_name: string;
  customer_surname: string;
  customer_birthday: string;
  customer_email: string;
  movie_id: number;
  movie_name: string;
  movie_year: number;
  movie_duration: number;
}

/** A session row as the API shows it: the session with its customer and movie nested. */
export function sessionView(row: SessionRow): Record<string, unknown> {
  return {
    id: row.session_id,
    start_time: row.start_time,
    customer: {
      id: row.customer_id,
      name: row.customer_name,
      surname: row.customer_surname,
      birthday: row.customer_birthday,
      email: row.customer_email,
    },
    movie: { id: row.movie_id, name: row.movie_name, year: row.movie_year, duration: row.movie_duration },
  };
}

/** Run one query under the app-side statement timeout; SET LOCAL keeps it pgbouncer-safe. */
export async function queryWithTimeout<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    const result = await client.query<R>(sql, params);
    await client.query("COMMIT");
    return result.rows;
  } catch (err) {
    await client.query("ROLLBACK").catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    // A client whose ROLLBACK failed has lost its server: the pool drops it.
    client.release(broken);
  }
}
