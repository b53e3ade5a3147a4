// Dotted-path access to the parsed settings file (a plain YAML mapping).
export type Raw = Record<string, unknown>;

export const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A raw value as text: scalars as written (and a list as its items joined by commas),
 * a mapping as "[object Object]", which every check of the reader then rejects.
 */
export const asText = (v: unknown): string => String(v);

export function getPath(raw: Raw, dotted: string): unknown {
  let cur: unknown = raw;
  for (const k of dotted.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function setPath(raw: Raw, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur = raw;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Raw;
  }
  cur[keys[keys.length - 1]] = value;
}
