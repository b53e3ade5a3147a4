// The real binary's schema: no primary keys and no indexes (adding them is the
// operator's job), plus the migrations table its migrator keeps.
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL, dirty boolean NOT NULL);
CREATE TABLE IF NOT EXISTS movies (id bigint, name varchar(256), year int, duration int);
CREATE TABLE IF NOT EXISTS customers (id bigint, name varchar(80), surname varchar(80), birthday date, email varchar(256));
CREATE TABLE IF NOT EXISTS sessions (id bigserial, start_time timestamp, customer_id int, movie_id int);
`;

/** Version recorded in schema_migrations once the initial data is complete. */
export const DATA_VERSION = 20231121;

/** Row counts of the real data set. */
export const REAL_SIZES = { movies: 29_019, customers: 500_000, sessions: 5_000_000 } as const;

export type TableSizes = { movies: number; customers: number; sessions: number };

/** BINGO_DATA_SCALE shrinks every table by the same fraction; unset means the real size. */
export function scaledSizes(scaleText: string | undefined): TableSizes {
  const scale = scaleText === undefined || scaleText === "" ? 1 : Number(scaleText);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`BINGO_DATA_SCALE must be a fraction in (0, 1], got '${scaleText}'`);
  }
  const scaled = (n: number) => Math.max(1, Math.round(n * scale));
  return { movies: scaled(REAL_SIZES.movies), customers: scaled(REAL_SIZES.customers), sessions: scaled(REAL_SIZES.sessions) };
}
