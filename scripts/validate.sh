#!/usr/bin/env bash
# make validate: a real `terraform validate` of every synthesized stack, offline.
# Terraform gets its providers from a local mirror whose "provider" is
# scripts/tf-schema-provider: it serves the checked-in schema files in schema/
# over the plugin protocol, so argument names, types and required blocks are
# checked exactly as the real provider would check them (nothing is planned).
#
#   scripts/validate.sh              validate cdktf.out/stacks/* (synthesizes first when missing or stale)
#   scripts/validate.sh DIR...       validate these Terraform JSON/HCL folders instead
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

command -v terraform >/dev/null || die "terraform is not installed" "install Terraform >= 1.5 (it is at /usr/local/bin/terraform on the project machines)"
command -v node >/dev/null || die "node is not installed" "install Node.js >= 20"

GEN="$ROOT/.gen/tf-schema-provider"
MIRROR="$GEN/mirror"
mkdir -p "$GEN"

# 1. Build the schema-only provider (one bundled JS file) when its source changed.
server_src="$ROOT/scripts/tf-schema-provider/server.ts"
server_js="$GEN/server.js"
if [[ ! -f $server_js || $server_src -nt $server_js ]]; then
  info "building the schema-only provider"
  "$ROOT/node_modules/.bin/esbuild" "$server_src" --bundle --platform=node --target=node20 --log-level=warning --outfile="$server_js"
fi

# 2. One mirror entry per provider in schema/providers.json: a launcher script
#    named like a provider binary, in the "unpacked" filesystem-mirror layout.
node_bin="$(command -v node)"
cli_config="$GEN/terraformrc"
export TF_CLI_CONFIG_FILE="$cli_config"
export TF_DISABLE_PLUGIN_TLS=1 TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR
[[ -f $cli_config ]] || : >"$cli_config"
platform="$(terraform version -json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).platform))')"
rm -rf "$MIRROR"
while IFS=$'\t' read -r source version schema; do
  type="${source##*/}"
  dir="$MIRROR/$source/$version/$platform"
  mkdir -p "$dir"
  cat >"$dir/terraform-provider-${type}_v$version" <<LAUNCHER
#!/bin/sh
exec "$node_bin" "$server_js" --schema "$ROOT/schema/$schema" --provider "$source" --proto-dir "$ROOT/scripts/tf-schema-provider/proto"
LAUNCHER
  chmod +x "$dir/terraform-provider-${type}_v$version"
done < <(node -e '
  const m = require(process.argv[1]);
  for (const p of Object.values(m)) console.log([p.source, p.version, p.schema].join("\t"));
' "$ROOT/schema/providers.json")

# 3. A CLI config that installs every provider from that mirror and nothing else
#    (this overrides any TF_CLI_CONFIG_FILE of the host).
cat >"$cli_config" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*"]
  }
}
CFG

# 4. The folders to validate.
dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then
  # Synthesize again when cdktf.out/ is missing or older than what it is made from.
  manifest="$ROOT/cdktf.out/manifest.json"
  if [[ ! -f $manifest ]] || [[ -n $(find "$ROOT/main.ts" "$ROOT/stacks" "$ROOT/constructs" "$ROOT/settings" "$ROOT/schema" \
    "$ROOT/ansible" "$ROOT/settings.example.yaml" "$ROOT/settings.yaml" -newer "$manifest" -print -quit 2>/dev/null) ]]; then
    "$ROOT/scripts/synth.sh"
  fi
  for d in "$ROOT"/cdktf.out/stacks/*/; do dirs+=("${d%/}"); done
fi

failed=()
for dir in "${dirs[@]}"; do
  [[ -d $dir ]] || die "$dir is not a folder" "pass folders that hold Terraform configuration"
  name="$(basename "$dir")"
  start=$(date +%s.%N)
  log="$(mktemp)"
  if ! (cd "$dir" && terraform init -backend=false -input=false -no-color) >"$log" 2>&1; then
    printf '    %-10s init FAILED\n' "$name"
    sed 's/^/      /' "$log" >&2
    failed+=("$name")
    rm -f "$log"
    continue
  fi
  if (cd "$dir" && terraform validate -no-color) >"$log" 2>&1; then
    printf '    %-10s valid (%.1f s)\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
  else
    printf '    %-10s INVALID\n' "$name"
    sed 's/^/      /' "$log" >&2
    failed+=("$name")
  fi
  rm -f "$log"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  die "terraform validate failed for: ${failed[*]}" "fix the construct that produces the reported argument, run make synth, then make validate"
fi
info "terraform validate: ${#dirs[@]} configuration(s) valid"
