// The offline review diff of two synthesized cdktf outputs (see scripts/review-diff.sh):
//   node --import tsx scripts/review-diff/main.ts --base DIR --head DIR [--base-root DIR --head-root DIR]
//        [--base-label TEXT] [--head-label TEXT] [--settings TEXT]
// DIRs hold manifest.json and stacks/<name>/cdk.tf.json. The base checkout's root
// path is rewritten to the head's, so only what the code changes shows.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readStackOrder } from "../lib/stack-order";
import { JsonObject } from "./config-diff";
import { renderDiff } from "./render-diff";
import { loadReplaceRecord } from "./replace-record";
import { SecretMask } from "./secret-mask";
import { diffStacks, StackJson } from "./stack-diff";

/** Every stack's cdk.tf.json in an output folder; from is replaced by to in the text first. */
export function readStacks(outdir: string, from?: string, to?: string): Record<string, StackJson> {
  const stacks: Record<string, StackJson> = {};
  const dir = path.join(outdir, "stacks");
  if (!fs.existsSync(dir)) return stacks;
  // Inside JSON strings a path is written JSON-escaped.
  const escaped = (p: string) => JSON.stringify(p).slice(1, -1);
  for (const name of fs.readdirSync(dir)) {
    let text = fs.readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8");
    if (from && to && from !== to) text = text.split(escaped(from)).join(escaped(to));
    stacks[name] = JSON.parse(text) as JsonObject;
  }
  return stacks;
}

/** Stacks in the head's dependency order, then any the head no longer has. */
export function stacksInOrder(baseDir: string, headDir: string): string[] {
  const order = (dir: string) => (fs.existsSync(path.join(dir, "manifest.json")) ? readStackOrder(path.join(dir, "manifest.json")) : []);
  const head = order(headDir);
  return [...head, ...order(baseDir).filter((s) => !head.includes(s))];
}

export function reviewDiff(opts: { base: string; head: string; baseRoot?: string; headRoot?: string; baseLabel?: string; headLabel?: string; settings?: string }): string {
  const base = readStacks(opts.base, opts.baseRoot, opts.headRoot);
  const head = readStacks(opts.head);
  const mask = new SecretMask();
  for (const stacks of [base, head]) {
    for (const stack of Object.values(stacks)) {
      for (const [type, byName] of Object.entries((stack.resource ?? {}) as JsonObject)) {
        for (const config of Object.values((byName ?? {}) as JsonObject)) mask.learn(type, config);
      }
    }
  }
  const diffs = diffStacks(stacksInOrder(opts.base, opts.head), base, head, loadReplaceRecord());
  return renderDiff(diffs, mask, { base: opts.baseLabel ?? opts.base, head: opts.headLabel ?? opts.head, settings: opts.settings });
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      base: { type: "string" },
      head: { type: "string" },
      "base-root": { type: "string" },
      "head-root": { type: "string" },
      "base-label": { type: "string" },
      "head-label": { type: "string" },
      settings: { type: "string" },
    },
  });
  if (!values.base || !values.head) {
    console.error("usage: main.ts --base DIR --head DIR [--base-root DIR --head-root DIR] [--base-label TEXT] [--head-label TEXT] [--settings TEXT]");
    process.exit(2);
  }
  process.stdout.write(
    reviewDiff({
      base: values.base,
      head: values.head,
      baseRoot: values["base-root"],
      headRoot: values["head-root"],
      baseLabel: values["base-label"],
      headLabel: values["head-label"],
      settings: values.settings,
    }),
  );
}
