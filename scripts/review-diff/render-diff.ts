// The review diff as text, laid out like a Terraform plan: per stack, each
// resource with its action and changed arguments, replacements called out first.
import * as crypto from "node:crypto";
import { isObject, Json, pathText, schemaPath } from "./config-diff";
import { decodeEmbedded, Embedded, isText } from "./embedded-content";
import { SecretMask, MASK } from "./secret-mask";
import { ArgumentChange, ItemDiff, planCounts, StackDiff } from "./stack-diff";

const SYMBOL: Record<ItemDiff["action"], string> = { create: "+", delete: "-", update: "~", replace: "-/+", read: "<=", none: "#" };
const VERB: Record<ItemDiff["action"], string> = {
  create: "will be created",
  delete: "will be destroyed",
  update: "will be updated in-place",
  replace: "must be REPLACED (destroyed, then created again)",
  read: "will be read again (its result may change)",
  none: "changes only in what a plan does not compare",
};
const LONG = 240;
const MAX_LINES = 40;

export interface RenderOptions {
  readonly base: string;
  readonly head: string;
  /** Where the settings came from (the same for both sides). */
  readonly settings?: string;
}

/** A line too long to read: its start, its length and a digest (enough to see that it changed). */
function shorten(raw: string, mask: SecretMask): string {
  // Masked before the digest, so no digest is taken of a secret.
  const line = mask.text(raw);
  if (line.length <= LONG) return line;
  const digest = crypto.createHash("sha256").update(line).digest("hex").slice(0, 12);
  return `${line.slice(0, 120)}… (${line.length} chars, sha256 ${digest})`;
}

/** Long strings split into lines: real newlines, or the \n escapes of an embedded string. */
function linesOf(s: string): string[] {
  const lines = s.split("\n");
  return lines.length === 1 && s.length > LONG && s.includes("\\n") ? s.split("\\n") : lines;
}

const isMultiline = (v: Json | undefined): v is string => typeof v === "string" && linesOf(v).length > 1;

function valueText(v: Json | undefined, sensitive: boolean, mask: SecretMask): string {
  if (v === undefined) return "null";
  return sensitive ? MASK : shorten(JSON.stringify(v), mask);
}

/** A block or list too long for one line, as indented JSON lines. */
function longValueLines(v: Json | undefined, indent: string, mask: SecretMask): string[] | undefined {
  if (typeof v !== "object" || v === null || JSON.stringify(v).length <= LONG) return undefined;
  return JSON.stringify(v, null, 2)
    .split("\n")
    .map((l) => `${indent}${shorten(l, mask)}`);
}

/** A line diff (longest common subsequence) of two texts, unchanged runs folded. */
function lineDiff(before: string, after: string, indent: string, mask: SecretMask): string[] {
  const a = linesOf(before);
  const b = linesOf(after);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let same = 0;
  // The last removed line that held readable base64 content, to compare with the next added one.
  let removed: Embedded | undefined;
  const flush = () => {
    if (same > 0) out.push(`${indent}  # (${same} unchanged line${same === 1 ? "" : "s"})`);
    same = 0;
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      same++;
      i++;
      j++;
      removed = undefined;
    } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      flush();
      removed = decodeEmbedded(a[i]) ?? removed;
      out.push(`${indent}- ${shorten(a[i++], mask)}`);
    } else {
      flush();
      const added = decodeEmbedded(b[j]);
      out.push(`${indent}+ ${shorten(b[j++], mask)}`);
      if (removed && added) out.push(...embeddedDiff(removed, added, `${indent}    `, mask));
      removed = undefined;
    }
  }
  flush();
  if (out.length > MAX_LINES) return [...out.slice(0, MAX_LINES), `${indent}  # (${out.length - MAX_LINES} more lines of this diff not shown)`];
  return out;
}

/** What changed inside two versions of embedded content: the files of an archive, or the decoded text. */
function embeddedDiff(before: Embedded, after: Embedded, indent: string, mask: SecretMask): string[] {
  if (before.kind === "text" && after.kind === "text") return [`${indent}# decoded:`, ...lineDiff(before.text, after.text, indent, mask)];
  if (before.kind !== "archive" || after.kind !== "archive") return [];
  const out = [`${indent}# files in the archive:`];
  for (const name of [...new Set([...before.files.keys(), ...after.files.keys()])].sort()) {
    const [was, is] = [before.files.get(name), after.files.get(name)];
    if (was && is && was.equals(is)) continue;
    if (!was || !is) {
      out.push(`${indent}${was ? "-" : "+"} ${name}`);
    } else if (isText(was) && isText(is)) {
      out.push(`${indent}~ ${name}:`, ...lineDiff(was.toString("utf8"), is.toString("utf8"), `${indent}    `, mask));
    } else {
      out.push(`${indent}~ ${name} (binary, ${was.length} -> ${is.length} bytes)`);
    }
  }
  return out;
}

function changeLines(item: ItemDiff, c: ArgumentChange, mask: SecretMask): string[] {
  const name = pathText(c.path);
  const sensitive = mask.isSensitive(item.type, schemaPath(c.path)) || (item.kind === "output" && item.config?.sensitive === true);
  const notes = [
    c.forcesReplacement ? "forces replacement" : "",
    c.configOnly ? `not in a plan: ${c.path[0] === "provisioner" ? "a provisioner runs only when the resource is created" : "a Terraform meta-argument"}` : "",
    c.ignored ? "not applied: lifecycle.ignore_changes keeps the resource as it is" : "",
  ].filter(Boolean);
  const note = notes.length > 0 ? `  # ${notes.join("; ")}` : "";
  const pad = "      ";
  if (c.dependsOn) return [`${pad}~ ${name} = (known after apply: ${c.dependsOn} changes)${note}`];
  for (const [sign, only] of [["+", c.before === undefined ? c.after : undefined], ["-", c.after === undefined ? c.before : undefined]] as const) {
    if (only === undefined) continue;
    const long = sensitive ? undefined : longValueLines(only, `${pad}    `, mask);
    return long ? [`${pad}${sign} ${name} =${note}`, ...long] : [`${pad}${sign} ${name} = ${valueText(only, sensitive, mask)}${note}`];
  }
  if (!sensitive && (isMultiline(c.before) || isMultiline(c.after))) {
    // One side may be no string (added, removed, null): it shows as String() writes it.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return [`${pad}~ ${name}:${note}`, ...lineDiff(String(c.before), String(c.after), `${pad}    `, mask)];
  }
  return [`${pad}~ ${name} = ${valueText(c.before, sensitive, mask)} -> ${valueText(c.after, sensitive, mask)}${note}`];
}

/** How the instance group rolls a template change out (from its deploy_policy). */
function rollingNote(item: ItemDiff): string | undefined {
  if (!item.changes.some((c) => c.rolls) || item.action !== "update") return undefined;
  const policy = item.config?.deploy_policy;
  const p = isObject(policy) ? policy : {};
  const fields = ["max_unavailable", "max_expansion", "max_creating", "max_deleting"].filter((k) => p[k] !== undefined).map((k) => `${k} = ${JSON.stringify(p[k])}`);
  return `      # the group rolls this out to its instances one by one (deploy_policy: ${fields.join(", ") || "provider defaults"})`;
}

function itemLines(item: ItemDiff, mask: SecretMask): string[] {
  const where = item.constructPath ? `  (${item.constructPath})` : "";
  const verb = item.kind === "output" ? "will change" : VERB[item.action];
  const lines = [`  # ${item.address} ${verb}${where}`, `${SYMBOL[item.action].padStart(3)} ${item.address}`];
  const shown = item.action === "create" || item.action === "delete" ? item.changes.filter((c) => !c.configOnly) : item.changes;
  for (const c of shown) lines.push(...changeLines(item, c, mask));
  const rolling = rollingNote(item);
  if (rolling) lines.push(rolling);
  return lines;
}

export function renderDiff(diffs: readonly StackDiff[], mask: SecretMask, opts: RenderOptions): string {
  const out = [`Offline review diff of the cloud stacks: ${opts.base} -> ${opts.head}`];
  if (opts.settings) out.push(`Settings (the same on both sides): ${opts.settings}`);
  out.push("No cloud is contacted: what only the cloud knows is shown as (known after apply).");
  const replaced = diffs.flatMap((d) => d.items.filter((i) => i.action === "replace").map((i) => `${d.stack}: ${i.address}${i.constructPath ? ` (${i.constructPath})` : ""}`));
  if (replaced.length > 0) {
    out.push("", `!! ${replaced.length} resource${replaced.length === 1 ? "" : "s"} REPLACED (destroyed, then created again):`);
    for (const r of replaced) out.push(`!!   ${r}`);
  }
  for (const d of diffs) {
    out.push("");
    if (d.items.length === 0) {
      out.push(`Stack ${d.stack}: no changes.`);
      continue;
    }
    const n = planCounts(d);
    out.push(`Stack ${d.stack}: ${n.add} to add, ${n.change} to change, ${n.destroy} to destroy.`);
    for (const item of d.items) out.push(...itemLines(item, mask));
  }
  return out.map((l) => mask.text(l)).join("\n") + "\n";
}
