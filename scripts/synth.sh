#!/usr/bin/env bash
# make synth: synthesize the cloud stacks (network, db, app, frontend) into cdktf.out/
# (CDKTF_OUTDIR=DIR for another folder).
# Settings come from settings.yaml (BINGO_SETTINGS=FILE for another) and the
# environment (YC_FOLDER_ID, YC_ZONE, BINGO_STUDENT_EMAIL, ...; see settings.example.yaml).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

"$ROOT/scripts/gen-bindings.sh"
export CDKTF_OUTDIR="${CDKTF_OUTDIR:-$ROOT/cdktf.out}"
# The synthesized stacks name the deployment's addresses, keys and secrets' ids: owner-only.
umask 077
step "Synthesizing the cloud stacks into ${CDKTF_OUTDIR#"$ROOT"/}/"
start=$(date +%s%N)
rm -rf "$CDKTF_OUTDIR"
if ! node --import tsx "$ROOT/main.ts"; then
  die "synth failed" "fix what is reported above (settings: copy settings.example.yaml to settings.yaml and fill it in)"
fi
chmod -R go-rwx "$CDKTF_OUTDIR"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
for d in "$CDKTF_OUTDIR"/stacks/*/; do
  info "$(basename "$d"): $(node -e 'const s=require(process.argv[1]);let n=0;for(const t of Object.values(s.resource||{}))n+=Object.keys(t).length;console.log(n+" resources")' "$d/cdk.tf.json")"
done
info "synthesized in ${ms} ms"
