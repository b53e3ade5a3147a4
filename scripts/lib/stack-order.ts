// The stacks of a synthesized cdktf app in dependency order (each after the
// stacks it reads from), from cdktf.out/manifest.json. Run alone, prints one a line:
//   node --import tsx scripts/lib/stack-order.ts cdktf.out/manifest.json
import * as fs from "node:fs";

interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly dependencies?: readonly string[] }>>;
}

export function stackOrder(manifest: Manifest): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    (manifest.stacks[name]?.dependencies ?? []).forEach(visit);
    out.push(name);
  };
  Object.keys(manifest.stacks).sort().forEach(visit);
  return out;
}

export const readStackOrder = (manifestFile: string): string[] => stackOrder(JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest);

if (require.main === module) {
  console.log(readStackOrder(process.argv[2]).join("\n"));
}
