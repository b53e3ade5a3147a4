#!/usr/bin/env bash
# Build the bingo stand-in into one self-contained executable, build/bingo:
# esbuild bundles bingo/ and its npm dependencies into one CommonJS file, which
# is injected into a copy of the node binary as a Single Executable Application.
# Skips everything when the sources, lockfile and node are unchanged.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

out=build/bingo
stamp=build/.bingo.sources.sha256
node_bin="$(command -v node)"

sources_digest() {
  {
    find bingo -type f -name '*.ts' -print0 | sort -z | xargs -0 sha256sum
    sha256sum package-lock.json scripts/build-bingo.sh
    "$node_bin" --version
  } | sha256sum | cut -d' ' -f1
}

digest="$(sources_digest)"
if [[ -x $out && -f $stamp && "$(cat "$stamp")" == "$digest" ]]; then
  step "bingo stand-in is up to date ($out)"
  info "sources unchanged since the last build; delete $stamp to force a rebuild"
  exit 0
fi

mkdir -p build
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "Bundling bingo/ into one CommonJS file (esbuild)"
npx --no esbuild bingo/main.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:pg-native --log-level=warning --outfile="$work/bingo.cjs"
info "bundle: $(du -h "$work/bingo.cjs" | cut -f1)"

step "Preparing the single-executable blob"
cat >"$work/sea.json" <<JSON
{ "main": "$work/bingo.cjs", "output": "$work/sea.blob", "disableExperimentalSEAWarning": true }
JSON
"$node_bin" --experimental-sea-config "$work/sea.json" >"$work/sea.log" 2>&1 || { cat "$work/sea.log" >&2; die "node could not prepare the SEA blob" "check that $node_bin is node >= 20"; }

step "Injecting the blob into a copy of $node_bin"
cp "$node_bin" "$work/bingo"
chmod u+w "$work/bingo"
npx --no postject "$work/bingo" NODE_SEA_BLOB "$work/sea.blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >"$work/postject.log" 2>&1 \
  || { cat "$work/postject.log" >&2; die "postject could not inject the blob" "run make deps, then make bingo again"; }
chmod 0755 "$work/bingo"

step "Checking the executable runs on its own"
# From / with an empty environment and as nobody (it refuses root): no node, no node_modules.
run_alone() { (cd / && env -i setpriv --reuid=65534 --regid=65534 --clear-groups "$work/bingo" "$@"); }
version="$(run_alone version)" || die "the built executable does not run on its own" "see the output above"
[[ "$(run_alone)" == "Hello world" ]] || die "the built executable does not print Hello world" "see the output above"
info "bingo version: $version"

mv -f "$work/bingo" "$out"
echo "$digest" >"$stamp"
info "built $out ($(du -h "$out" | cut -f1)); install it by copying to /opt/bingo/bingo"
