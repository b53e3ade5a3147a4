// Lets Terraform plan a stack whose upstream stacks are not applied yet. A stack
// reads their outputs from their local state (terraform_remote_state); before the
// first apply there is no such state and the plan stops. This writes a copy of the
// stack whose missing inputs point at stand-in state files, each output holding a
// placeholder that says which stack must be applied first.
//   node --import tsx scripts/lib/remote-state-stand-ins.ts STACK_DIR COPY_DIR
// Prints the upstream stacks stood in for (one a line); nothing when all states exist
// (then COPY_DIR is not written).
import * as fs from "node:fs";
import * as path from "node:path";

type Json = Record<string, unknown>;
const INPUT = /^cross-stack-reference-input-(.+)$/;

/** A Terraform state (format 4) that holds only string outputs. */
export function standInState(outputs: readonly string[], producer: string): Json {
  return {
    version: 4,
    terraform_version: "1.5.0",
    serial: 1,
    lineage: `stand-in-${producer}`,
    outputs: Object.fromEntries(outputs.map((o) => [o, { value: `(known once stack ${producer} is applied)`, type: "string" }])),
    resources: [],
  };
}

/** Writes the stand-in copy; returns the upstream stacks whose state is missing. */
export function writeStandIns(stackDir: string, copyDir: string): string[] {
  const text = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
  const config = JSON.parse(text) as Json;
  const remote = ((config.data as Json | undefined)?.terraform_remote_state ?? {}) as Record<string, { config?: { path?: string } }>;
  const missing: string[] = [];
  for (const [name, ds] of Object.entries(remote)) {
    const statePath = ds.config?.path;
    if (!statePath || fs.existsSync(statePath)) continue;
    const producer = INPUT.exec(name)?.[1] ?? name;
    const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
    const used = [...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${escaped}\\.outputs\\.([A-Za-z0-9_-]+)`, "g"))].map((m) => m[1]);
    fs.mkdirSync(copyDir, { recursive: true });
    const standIn = path.join(copyDir, `stand-in-${producer}.tfstate`);
    fs.writeFileSync(standIn, JSON.stringify(standInState([...new Set(used)], producer), null, 2));
    ds.config = { ...ds.config, path: standIn };
    missing.push(producer);
  }
  if (missing.length > 0) fs.writeFileSync(path.join(copyDir, "cdk.tf.json"), JSON.stringify(config, null, 2));
  return missing;
}

if (require.main === module) {
  const [stackDir, copyDir] = process.argv.slice(2);
  if (!stackDir || !copyDir) {
    console.error("usage: remote-state-stand-ins.ts STACK_DIR COPY_DIR");
    process.exit(2);
  }
  const missing = writeStandIns(stackDir, copyDir);
  if (missing.length > 0) console.log(missing.join("\n"));
}
