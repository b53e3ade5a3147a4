// Keeps secrets out of the review diff: values of sensitive arguments (the
// provider schema's "sensitive" flag and secret-sounding names), every other
// occurrence of those values, key/value pairs that name a secret inside larger
// strings (an inventory, a command) and private keys.
import * as fs from "node:fs";
import * as path from "node:path";
import { Json, isObject, schemaPath, stringLeaves } from "./config-diff";

export const MASK = "(sensitive value)";

const SECRET_NAME = /(password|passwd|private_key|secret_key|access_key|api_key|token|text_value|binary_value)$/i;
const SECRET_PAIR = /((?:password|passwd|secret_key|private_key|access_key|api_key|token)["']?\s*[:=]\s*["']?)(?!(?:true|false)\b)([^\s"',}\\]+)/gi;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** Resource type -> schema paths marked sensitive, read from the schema files. */
export function sensitivePathsFromSchemas(files: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (type: string, block: Json | undefined, prefix: string) => {
    if (!isObject(block)) return;
    for (const [name, attr] of Object.entries(isObject(block.attributes) ? block.attributes : {})) {
      if (isObject(attr) && attr.sensitive === true) {
        if (!out.has(type)) out.set(type, new Set());
        out.get(type)?.add(prefix + name);
      }
    }
    for (const [name, nested] of Object.entries(isObject(block.block_types) ? block.block_types : {})) {
      if (isObject(nested)) walk(type, nested.block, `${prefix}${name}.`);
    }
  };
  for (const file of files) {
    const schema = JSON.parse(fs.readFileSync(file, "utf8")) as Json;
    const providers = isObject(schema) && isObject(schema.provider_schemas) ? Object.values(schema.provider_schemas) : [];
    for (const p of providers) {
      if (!isObject(p)) continue;
      if (isObject(p.provider)) walk("provider", p.provider.block, "");
      for (const [type, s] of Object.entries(isObject(p.resource_schemas) ? p.resource_schemas : {})) {
        if (isObject(s)) walk(type, s.block, "");
      }
    }
  }
  return out;
}

export const SCHEMA_FILES = ["yandex.json", "null.json"].map((f) => path.resolve(__dirname, "..", "..", "schema", f));

export class SecretMask {
  private readonly values = new Set<string>();

  constructor(private readonly sensitive: Map<string, Set<string>> = sensitivePathsFromSchemas(SCHEMA_FILES)) {}

  /** Whether the argument at this path of a resource type holds a secret. */
  isSensitive(type: string, schemaPathText: string): boolean {
    const last = schemaPathText.split(".").pop() ?? "";
    return SECRET_NAME.test(last) || (this.sensitive.get(type)?.has(schemaPathText) ?? false);
  }

  /** Remembers the secrets in a resource's arguments, so they are masked wherever else they appear. */
  learn(type: string, config: Json | undefined): void {
    for (const leaf of stringLeaves(config)) {
      if (leaf.value.length >= 6 && !leaf.value.includes("${") && this.isSensitive(type, schemaPath(leaf.path))) this.values.add(leaf.value);
    }
  }

  /** The text with every known secret, secret-named pair and private key replaced. */
  text(s: string): string {
    let out = s.replace(PRIVATE_KEY, MASK).replace(SECRET_PAIR, (_, key: string) => `${key}${MASK}`);
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return out;
  }
}
