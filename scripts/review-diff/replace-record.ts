// schema/yandex-replace.json: which changed arguments make the provider replace
// a resource instead of updating it in place.
import * as fs from "node:fs";
import * as path from "node:path";
import { schemaPath, schemaPathsWithin, ValueChange } from "./config-diff";

export interface ReplaceRecord {
  /** Resource type -> schema paths that force replacement. */
  readonly replace: Readonly<Record<string, readonly string[]>>;
  /** Resource type -> the block whose change the resource rolls out to its instances. */
  readonly rolling: Readonly<Record<string, string>>;
}

export const REPLACE_RECORD_FILE = path.resolve(__dirname, "..", "..", "schema", "yandex-replace.json");

export function loadReplaceRecord(file = REPLACE_RECORD_FILE): ReplaceRecord {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as { replace: Record<string, string[]>; rolling?: Record<string, string> };
  const rolling = Object.fromEntries(Object.entries(raw.rolling ?? {}).filter(([k]) => k !== "//"));
  return { replace: raw.replace, rolling };
}

/**
 * True when this change makes the provider replace the resource: its own path is
 * recorded, it adds or removes a block that holds a recorded path, or it is inside
 * a recorded path that lists no fields of its own (a map such as triggers).
 */
export function forcesReplacement(record: ReplaceRecord, type: string, change: ValueChange): boolean {
  const paths = record.replace[type];
  if (!paths) return false;
  const whole = change.before === undefined ? change.after : change.after === undefined ? change.before : undefined;
  const touched: string[] = whole !== undefined ? schemaPathsWithin(whole, change.path) : [schemaPath(change.path)];
  const wholeValue = (p: string) => !paths.some((q) => q.startsWith(`${p}.`));
  return touched.some((t) => paths.includes(t) || paths.some((p) => t.startsWith(`${p}.`) && wholeValue(p)));
}

/** True when the change is inside the block the resource rolls out to its instances. */
export function rollsInstances(record: ReplaceRecord, type: string, change: ValueChange): boolean {
  const block = record.rolling[type];
  return block !== undefined && change.path[0] === block;
}
