// Config of the real binary: read only from /opt/bingo/config.yaml, defaults
// filled in for absent keys.
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { CONFIG_PATH } from "./paths";
import { goPanic } from "./go-panic";

export interface PostgresHost {
  address: string;
  port: number;
}

export interface PostgresCluster {
  hosts: PostgresHost[];
  user: string;
  password: string;
  db_name: string;
  ssl_mode: string;
  use_closest_node: boolean;
}

export interface Config {
  student_email: string;
  postgres_cluster: PostgresCluster;
}

export function defaultConfig(): Config {
  return {
    student_email: "test@example.com",
    postgres_cluster: {
      hosts: [{ address: "localhost", port: 5432 }],
      user: "postgres",
      password: "postgres",
      db_name: "postgres",
      ssl_mode: "disable",
      use_closest_node: false,
    },
  };
}

export function renderConfig(config: Config): string {
  return stringify(config, { indentSeq: false });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A YAML value as text, read as the stand-in always has (String(): scalars as written). */
const scalarText = (value: unknown): string => String(value);

function parseHosts(value: unknown, fallback: PostgresHost[]): PostgresHost[] {
  if (!Array.isArray(value)) return fallback;
  return value.map((entry) => {
    const host = asRecord(entry);
    return { address: scalarText(host.address ?? "localhost"), port: Number(host.port ?? 5432) };
  });
}

/** Merge a parsed YAML document over the defaults, keeping the default type of each key. */
export function configFromYaml(text: string): Config {
  const doc = asRecord(parse(text));
  const base = defaultConfig();
  const pg = asRecord(doc.postgres_cluster);
  return {
    student_email: typeof doc.student_email === "string" ? doc.student_email : base.student_email,
    postgres_cluster: {
      hosts: parseHosts(pg.hosts, base.postgres_cluster.hosts),
      user: pg.user !== undefined ? scalarText(pg.user) : base.postgres_cluster.user,
      password: pg.password !== undefined ? scalarText(pg.password) : base.postgres_cluster.password,
      db_name: pg.db_name !== undefined ? scalarText(pg.db_name) : base.postgres_cluster.db_name,
      ssl_mode: pg.ssl_mode !== undefined ? scalarText(pg.ssl_mode) : base.postgres_cluster.ssl_mode,
      use_closest_node: pg.use_closest_node === true,
    },
  };
}

/** Read the fixed config file; a missing or unreadable file is the real binary's panic. */
export function loadConfig(): Config {
  let text: string;
  try {
    text = readFileSync(CONFIG_PATH, "utf8");
  } catch {
    goPanic("failed to read config data", "config.MustLoad");
  }
  try {
    return configFromYaml(text);
  } catch {
    goPanic("failed to read config data", "config.MustLoad");
  }
}
