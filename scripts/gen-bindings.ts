// Generates the typed cdktf bindings of every provider in schema/providers.json
// that asks for them, from its checked-in schema file, into .gen/providers/<name>/.
// Run through scripts/gen-bindings.sh (which skips the work when .gen is current).
import * as fs from "node:fs";
import * as path from "node:path";
import { ConstructsMakerProviderTarget, LANGUAGES, TerraformProviderConstraint } from "@cdktf/commons";
import { TerraformProviderGenerator } from "@cdktf/provider-generator/lib/get/generator/provider-generator";
import { CodeMaker } from "codemaker";

interface ProviderEntry {
  source: string;
  version: string;
  schema: string;
  bindings: boolean;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..");
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "schema", "providers.json"), "utf8")) as Record<
    string,
    ProviderEntry
  >;
  const out = path.join(root, ".gen");
  for (const [name, p] of Object.entries(manifest)) {
    if (!p.bindings) continue;
    const schema = JSON.parse(fs.readFileSync(path.join(root, "schema", p.schema), "utf8"));
    const target = path.join(out, "tmp-" + name);
    fs.rmSync(target, { recursive: true, force: true });
    // The generator takes the provider's version from provider_versions, which
    // `terraform providers schema -json` does not write: add it from the manifest.
    const source = p.source.replace(/^registry\.terraform\.io\//, "");
    const ps = schema.provider_schemas?.[p.source];
    if (!ps) throw new Error(`schema/${p.schema} has no provider_schemas["${p.source}"]`);
    const withVersion = {
      format_version: schema.format_version,
      provider_schemas: { [p.source]: ps },
      provider_versions: { [p.source]: p.version },
    };
    const code = new CodeMaker();
    const generator = new TerraformProviderGenerator(code, withVersion);
    generator.generate(
      new ConstructsMakerProviderTarget(
        new TerraformProviderConstraint({ name, source, version: p.version }),
        LANGUAGES[0],
      ),
    );
    await generator.save(target);
    const generated = path.join(target, "providers", name);
    if (!fs.existsSync(generated)) {
      throw new Error(`the generator wrote no ${generated}; check the source ${source} in schema/providers.json`);
    }
    const final = path.join(out, "providers", name);
    fs.rmSync(final, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(final), { recursive: true });
    fs.renameSync(generated, final);
    fs.rmSync(target, { recursive: true, force: true });
    console.log(`    ${name} ${p.version}: bindings in ${path.relative(root, final)}`);
  }
}

main().catch((err: unknown) => {
  console.error(`error: generating the provider bindings failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
