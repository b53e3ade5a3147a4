// Connection to the cluster: hosts are tried in the listed order and the first
// that answers serves the pool. Queries are unnamed, so the pool also works
// through pgbouncer in transaction pooling mode.
import pg from "pg";
import { PostgresCluster } from "../config";

const TIMESTAMP_OID = 1114;
const DATE_OID = 1082;
const INT8_OID = 20;

/** Values as the real API prints them: ids as numbers, dates as written, timestamps in RFC 3339 UTC. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === DATE_OID) return (value: string) => value;
    if (oid === TIMESTAMP_OID) return (value: string) => `${value.replace(" ", "T")}Z`;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  }) as pg.CustomTypesConfig["getTypeParser"],
};

export const CONNECT_ERROR = "failed Init Core: failed NewDatabase: could not connect to any host from the list";

export class NoHostError extends Error {
  constructor(readonly attempts: string[]) {
    super(CONNECT_ERROR);
  }
}

function clientConfig(cluster: PostgresCluster, address: string, port: number): pg.ClientConfig {
  return {
    host: address,
    port,
    user: cluster.user,
    password: cluster.password,
    database: cluster.db_name,
    ssl: cluster.ssl_mode === "disable" ? false : { rejectUnauthorized: cluster.ssl_mode === "verify-full" },
    connectionTimeoutMillis: 5000,
    types: typeParsers,
    application_name: "bingo",
  };
}

/** Open a pool on the first reachable host of the list. */
export async function connectCluster(cluster: PostgresCluster, maxConnections: number): Promise<pg.Pool> {
  const attempts: string[] = [];
  for (const host of cluster.hosts) {
    const config = clientConfig(cluster, host.address, host.port);
    const probe = new pg.Client(config);
    try {
      await probe.connect();
      await probe.query("SELECT 1");
      await probe.end();
      const pool = new pg.Pool({ ...config, max: maxConnections, idleTimeoutMillis: 30_000 });
      // A client losing its server (failover, pgbouncer restart) must not crash the process,
      // idle or checked out: pg also emits the socket's error on a client whose query it
      // rejects, and the pool listens only on idle ones. The query fails; the server lives on.
      pool.on("error", () => undefined);
      pool.on("connect", (client) => client.on("error", () => undefined));
      return pool;
    } catch (err) {
      attempts.push(`${host.address}:${host.port}: ${(err as Error).message}`);
      await probe.end().catch(() => undefined);
    }
  }
  throw new NoHostError(attempts);
}
