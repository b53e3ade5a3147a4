// What a change of the synthesized stacks does to the cloud, worked out offline:
// per stack, the resources created, destroyed, updated or replaced, with the
// arguments that change. Values the cloud only knows after apply (the id of a
// replaced resource, a data source read again, another stack's changed output)
// are followed through the references that use them, as a plan would.
import { diffValues, isObject, Json, JsonObject, PathPart, pathText, schemaPath, stringLeaves, ValueChange } from "./config-diff";
import { forcesReplacement, ReplaceRecord, rollsInstances } from "./replace-record";

export type StackJson = JsonObject;
export type Action = "create" | "delete" | "update" | "replace" | "read" | "none";
export type ItemKind = "resource" | "data" | "output" | "config";

export interface ArgumentChange extends ValueChange {
  readonly forcesReplacement: boolean;
  /** The argument's text is unchanged but refers to this, which changes: its value is known only after apply. */
  readonly dependsOn?: string;
  /** Not part of what a plan compares (provisioners, depends_on, lifecycle). */
  readonly configOnly: boolean;
  /** Named in the resource's lifecycle.ignore_changes: Terraform leaves the resource as it is. */
  readonly ignored: boolean;
  /** Rolled out by the resource to its instances (the instance group's template). */
  readonly rolls: boolean;
}

export interface ItemDiff {
  /** Terraform address: type.name, data.type.name, output.name, provider.name, terraform. */
  readonly address: string;
  readonly type: string;
  readonly kind: ItemKind;
  readonly action: Action;
  readonly changes: readonly ArgumentChange[];
  /** The construct path (stack/Construct/Child) the resource comes from. */
  readonly constructPath?: string;
  /** The head configuration (for notes such as the deploy policy). */
  readonly config?: JsonObject;
}

export interface StackDiff {
  readonly stack: string;
  /** Items that change, in the order a plan shows them. */
  readonly items: readonly ItemDiff[];
  /** This stack's outputs whose value changes (other stacks read them): name -> what they hold. */
  readonly changedOutputs: ReadonlyMap<string, string>;
}

/** Arguments that are configuration for Terraform itself, not for the provider. */
const META = new Set(["provisioner", "depends_on", "lifecycle", "connection", "provider", "count", "for_each"]);
const CROSS_STACK_OUTPUT = "cross-stack-output-";
/** The data source through which a stack reads another stack's outputs (cdktf's name). */
export const remoteStateInput = (producer: string) => `data.terraform_remote_state.cross-stack-reference-input-${producer}`;

interface Item {
  readonly address: string;
  readonly type: string;
  readonly kind: ItemKind;
  readonly config: JsonObject;
  readonly constructPath?: string;
}

const withoutMetadata = (v: Json): JsonObject => {
  if (!isObject(v)) return {};
  const { "//": meta, ...rest } = v;
  void meta;
  return rest;
};

function itemsOf(stack: StackJson | undefined): Map<string, Item> {
  const items = new Map<string, Item>();
  if (!stack) return items;
  const add = (address: string, type: string, kind: ItemKind, value: Json) => {
    const meta = isObject(value) && isObject(value["//"]) && isObject(value["//"].metadata) ? value["//"].metadata : {};
    const constructPath = typeof meta.path === "string" ? meta.path : undefined;
    items.set(address, { address, type, kind, config: withoutMetadata(value), constructPath });
  };
  for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
    const byType = stack[kind];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, value] of Object.entries(byName)) add(`${prefix}${type}.${name}`, type, kind, value);
    }
  }
  if (isObject(stack.output)) for (const [name, value] of Object.entries(stack.output)) add(`output.${name}`, "output", "output", value);
  if (isObject(stack.provider)) for (const [name, value] of Object.entries(stack.provider)) add(`provider.${name}`, "provider", "config", value);
  if (isObject(stack.terraform)) add("terraform", "terraform", "config", stack.terraform);
  return items;
}

const referencePattern = new Map<string, RegExp>();
/** The first changed thing a Terraform expression in this string refers to. */
function referencedChange(value: string, changed: ReadonlyMap<string, string>): string | undefined {
  if (!value.includes("${")) return undefined;
  for (const [key, label] of changed) {
    let re = referencePattern.get(key);
    if (!re) {
      re = new RegExp(`(^|[^A-Za-z0-9_.-])${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_-])`);
      referencePattern.set(key, re);
    }
    if (re.test(value)) return label;
  }
  return undefined;
}

const isPrefix = (prefix: readonly PathPart[], path: readonly PathPart[]) => prefix.length <= path.length && prefix.every((p, i) => p === path[i]);

/** Whether lifecycle.ignore_changes of the configuration names this argument ("all", or a path such as boot_disk[0].initialize_params[0].image_id). */
function ignoredByLifecycle(config: JsonObject | undefined, path: readonly PathPart[]): boolean {
  const lifecycle = config?.lifecycle;
  const list = isObject(lifecycle) ? lifecycle.ignore_changes : undefined;
  const names = (Array.isArray(list) ? list : list === undefined ? [] : [list]).filter((n) => typeof n === "string").map((n) => n.replace(/\[\d+\]/g, ""));
  const argument = schemaPath(path);
  return names.some((n) => n === "all" || argument === n || argument.startsWith(`${n}.`));
}

function diffItem(record: ReplaceRecord, before: Item | undefined, after: Item | undefined, changed: ReadonlyMap<string, string>): ItemDiff {
  const item = (after ?? before) as Item;
  const direct = diffValues(before?.config ?? {}, after?.config ?? {});
  const derived: (ValueChange & { dependsOn: string })[] = [];
  if (before && after) {
    for (const leaf of stringLeaves(after.config)) {
      const key = referencedChange(leaf.value, changed);
      if (key && !direct.some((d) => isPrefix(d.path, leaf.path))) derived.push({ path: leaf.path, before: leaf.value, after: leaf.value, dependsOn: key });
    }
  }
  const changes: ArgumentChange[] = [...direct, ...derived].sort((a, b) => (pathText(a.path) < pathText(b.path) ? -1 : 1)).map((c) => {
    const configOnly = META.has(String(c.path[0]));
    const ignored = item.kind === "resource" && before !== undefined && !configOnly && ignoredByLifecycle(after?.config, c.path);
    return {
      ...c,
      configOnly,
      ignored,
      // Only an existing resource can be replaced.
      forcesReplacement: item.kind === "resource" && before !== undefined && after !== undefined && !configOnly && !ignored && forcesReplacement(record, item.type, c),
      rolls: item.kind === "resource" && !configOnly && !ignored && rollsInstances(record, item.type, c),
    };
  });
  const effective = changes.filter((c) => !c.configOnly && !c.ignored);
  let action: Action;
  if (!before) action = item.kind === "data" ? "read" : "create";
  else if (!after) action = "delete";
  else if (effective.length === 0) action = "none";
  else if (item.kind === "data") action = "read";
  else if (effective.some((c) => c.forcesReplacement)) action = "replace";
  else action = "update";
  return { address: item.address, type: item.type, kind: item.kind, action, changes, constructPath: item.constructPath, config: after?.config };
}

/** The references a changed item makes unknown until apply (what others must follow). */
function changedKey(d: ItemDiff): string | undefined {
  if (d.kind === "resource" && ["create", "delete", "replace"].includes(d.action)) return d.address;
  if (d.kind === "data" && d.action !== "none") return d.address;
  return undefined;
}

/**
 * The diff of one stack. upstream: for each stack before it, its outputs that
 * change (name -> what they hold), which this stack may read through remote state.
 */
export function diffStack(
  stack: string,
  base: StackJson | undefined,
  head: StackJson | undefined,
  record: ReplaceRecord,
  upstream: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(),
): StackDiff {
  const before = itemsOf(base);
  const after = itemsOf(head);
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
  // Reference -> how to name it to a reader.
  const changed = new Map<string, string>();
  for (const [producer, outputs] of upstream) for (const [o, label] of outputs) changed.set(`${remoteStateInput(producer)}.outputs.${o}`, `${producer}'s ${label}`);
  let diffs: ItemDiff[] = [];
  // Each replaced resource or re-read data source can change what refers to it: repeat until nothing new changes.
  for (;;) {
    diffs = addresses.map((a) => diffItem(record, before.get(a), after.get(a), changed));
    const grown = diffs.map(changedKey).filter((k): k is string => k !== undefined && !changed.has(k));
    if (grown.length === 0) break;
    grown.forEach((k) => changed.set(k, k));
  }
  const changedOutputs = new Map(
    diffs
      .filter((d) => d.kind === "output" && d.action !== "none")
      .map((d) => [d.address.slice("output.".length), outputLabel(d)] as const),
  );
  const shown = diffs.filter((d) => d.action !== "none" || d.changes.length > 0).filter((d) => !(d.kind === "output" && d.address.startsWith(`output.${CROSS_STACK_OUTPUT}`)));
  const rank = (d: ItemDiff) => ({ resource: 0, data: 0, output: 1, config: 2 })[d.kind];
  shown.sort((a, b) => rank(a) - rank(b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { stack, items: shown, changedOutputs };
}

/** What an output holds, for a reader: its expression without the ${ }. */
function outputLabel(d: ItemDiff): string {
  const value = d.config?.value;
  return typeof value === "string" ? value.replace(/^\$\{(.*)\}$/s, "$1") : d.address;
}

/** Diffs every stack in dependency order, passing each stack's changed outputs to the stacks that read them. */
export function diffStacks(order: readonly string[], base: Readonly<Record<string, StackJson>>, head: Readonly<Record<string, StackJson>>, record: ReplaceRecord): StackDiff[] {
  const outputs = new Map<string, ReadonlyMap<string, string>>();
  return order.map((stack) => {
    const d = diffStack(stack, base[stack], head[stack], record, outputs);
    outputs.set(stack, d.changedOutputs);
    return d;
  });
}

/** Terraform's plan summary: a replacement counts as one to add and one to destroy. */
export function planCounts(d: StackDiff): { add: number; change: number; destroy: number } {
  const resources = d.items.filter((i) => i.kind === "resource");
  const n = (...actions: Action[]) => resources.filter((i) => actions.includes(i.action)).length;
  return { add: n("create", "replace"), change: n("update"), destroy: n("delete", "replace") };
}
