// The attribute-level difference of two Terraform JSON values (a resource's
// arguments before and after), with paths a reviewer can read.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type PathPart = string | number;

/** One changed argument; before/after undefined when it is absent on that side. */
export interface ValueChange {
  readonly path: readonly PathPart[];
  readonly before?: Json;
  readonly after?: Json;
}

export const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const isBlockList = (v: Json | undefined): v is JsonObject[] => Array.isArray(v) && v.length > 0 && v.every(isObject);

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json | undefined): Json | undefined {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x) as Json);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]) as Json]));
}

/** "boot_disk.initialize_params.image_id", "ingress[2].port", "metadata[\"user-data\"]". */
export function pathText(path: readonly PathPart[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `[${JSON.stringify(p)}]`))
    .join("");
}

/** The path as the provider's schema names it: block indexes dropped ("ingress.port"). */
export const schemaPath = (path: readonly PathPart[]): string => path.filter((p) => typeof p === "string").join(".");

/**
 * Changes from before to after. Nested blocks are compared field by field; a list
 * of blocks is compared as Terraform shows sets and lists of blocks: identical
 * blocks match wherever they stand, the rest pair up in order, the surplus is
 * added or removed whole.
 */
export function diffValues(before: Json | undefined, after: Json | undefined, path: readonly PathPart[] = []): ValueChange[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], [...path, k]));
  }
  if (isBlockList(before) && isBlockList(after)) return diffBlockLists(before, after, path);
  return [{ path, before, after }];
}

function diffBlockLists(before: JsonObject[], after: JsonObject[], path: readonly PathPart[]): ValueChange[] {
  const unmatchedAfter = after.map((_, i) => i);
  const unmatchedBefore: number[] = [];
  before.forEach((b, i) => {
    const j = unmatchedAfter.findIndex((k) => deepEqual(b, after[k]));
    if (j >= 0) unmatchedAfter.splice(j, 1);
    else unmatchedBefore.push(i);
  });
  const changes: ValueChange[] = [];
  const paired = Math.min(unmatchedBefore.length, unmatchedAfter.length);
  for (let n = 0; n < paired; n++) {
    changes.push(...diffValues(before[unmatchedBefore[n]], after[unmatchedAfter[n]], [...path, unmatchedAfter[n]]));
  }
  for (const i of unmatchedBefore.slice(paired)) changes.push({ path: [...path, i], before: before[i] });
  for (const i of unmatchedAfter.slice(paired)) changes.push({ path: [...path, i], after: after[i] });
  return changes;
}

/** Every schema path inside a value (an added or removed block names all its fields). */
export function schemaPathsWithin(value: Json | undefined, path: readonly PathPart[]): string[] {
  const here = schemaPath(path);
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => (isObject(v) ? schemaPathsWithin(v, [...path, i]) : []))];
  if (isObject(value)) return [here, ...Object.entries(value).flatMap(([k, v]) => schemaPathsWithin(v, [...path, k]))];
  return [here];
}

/** Each string leaf with its path. */
export function stringLeaves(value: Json | undefined, path: readonly PathPart[] = []): { path: PathPart[]; value: string }[] {
  if (typeof value === "string") return [{ path: [...path], value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

/** The value at a path, undefined when absent. */
export function valueAt(value: Json | undefined, path: readonly PathPart[]): Json | undefined {
  let cur = value;
  for (const p of path) {
    if (typeof p === "number") cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isObject(cur) ? cur[p] : undefined;
  }
  return cur;
}
