#!/usr/bin/env bash
# make gen: regenerate the typed provider bindings in .gen/providers/ from the
# checked-in schema files in schema/ (no download). Skipped when .gen is newer
# than the schema files, the generator script and package-lock.json (the
# generator's version); --force regenerates anyway.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

stamp="$ROOT/.gen/providers/.stamp"
if [[ ${1:-} != --force && -f $stamp ]]; then
  stale=$(find "$ROOT/schema" "$ROOT/scripts/gen-bindings.ts" "$ROOT/package-lock.json" -newer "$stamp" -print -quit)
  [[ -z $stale ]] && exit 0
fi
[[ -d $ROOT/node_modules/@cdktf/provider-generator ]] || die "@cdktf/provider-generator is not installed" "run: make deps"
step "Generating the provider bindings from schema/"
# The generator asks terraform for its version: give it an empty CLI config.
mkdir -p "$ROOT/.gen"
: >"$ROOT/.gen/empty.tfrc"
TF_CLI_CONFIG_FILE="$ROOT/.gen/empty.tfrc" node --import tsx "$ROOT/scripts/gen-bindings.ts"
touch "$stamp"
