#!/usr/bin/env bash
# The offline part of make diff: synthesizes the stacks of a base revision and of
# the working tree with the same settings, and prints what the change does to the
# cloud per stack (added, removed, changed and REPLACED resources; secrets masked).
# No credentials needed, and no network unless the base has another package-lock.json
# (then its packages are installed with npm ci).
#   scripts/review-diff.sh               base: the merge-base of HEAD with main
#   BASE=<ref> scripts/review-diff.sh    base: that revision as it is
# Settings: settings.yaml, BINGO_SETTINGS=FILE or, with neither, settings.example.yaml;
# the base is synthesized with the working tree's, so only code changes show.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

git rev-parse --git-dir >/dev/null 2>&1 || die "$ROOT is not a git checkout" "the review diff compares a git revision with the working tree"
if [[ -n ${BASE:-} ]]; then
  base=$(git rev-parse --verify --quiet "${BASE}^{commit}") || die "BASE=$BASE is not a revision here" "name a branch, tag or commit (git log --oneline shows them); fetch it first if it is remote"
  base_label="$BASE ($(git rev-parse --short "$base"))"
else
  main_ref=""
  for ref in main origin/main; do
    if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then main_ref=$ref && break; fi
  done
  [[ -n $main_ref ]] || die "no main branch to compare with" "set BASE=<ref>, e.g. BASE=HEAD~1 make diff, or fetch main"
  base=$(git merge-base HEAD "$main_ref") || die "HEAD and $main_ref have no common ancestor" "set BASE=<ref> to compare with"
  base_label="merge-base with $main_ref ($(git rev-parse --short "$base"))"
fi

start=$(date +%s%N)
work=$(mktemp -d "${TMPDIR:-/tmp}/bingo-review-diff.XXXXXX")
base_tree="$work/base"
trap 'rm -rf "$work"' EXIT

# synth_into DIR OUT: synthesize the checkout DIR into OUT, quietly unless it fails.
synth_into() {
  local log="$work/synth.log"
  if ! CDKTF_OUTDIR="$2" "$1/scripts/synth.sh" >"$log" 2>&1; then
    cat "$log" >&2
    return 1
  fi
}

step "Synthesizing the working tree"
settings_note="settings.example.yaml"
[[ -f $ROOT/settings.yaml ]] && settings_note="settings.yaml"
if [[ -n ${BINGO_SETTINGS:-} ]]; then
  # Both checkouts read the same file, wherever each runs from.
  BINGO_SETTINGS="$(cd "$ROOT" && realpath -m "$BINGO_SETTINGS")"
  export BINGO_SETTINGS
  settings_note="$BINGO_SETTINGS"
fi
"$ROOT/scripts/npm-deps.sh"
synth_into "$ROOT" "$work/head" || die "the working tree does not synthesize" "fix the errors above (make synth shows the same)"

# The base's files only (git archive): nothing is registered in the repository.
step "Extracting the base $base_label"
mkdir -p "$base_tree"
git archive --format=tar "$base" | tar -x -C "$base_tree" || die "could not extract $base_label" "check that the revision is complete here (git fsck), or compare with another BASE"
# Same dependencies: share them; otherwise install the base's own.
if cmp -s "$ROOT/package-lock.json" "$base_tree/package-lock.json"; then
  [[ -e $base_tree/node_modules ]] || ln -s "$ROOT/node_modules" "$base_tree/node_modules"
else
  info "package-lock.json differs from the base: installing the base's dependencies (npm ci, about 10-20 s)"
  (cd "$base_tree" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in the base checkout" "check the npm registry access, or compare with another BASE"
fi
# Same schema and generator: copy the bindings instead of generating them again.
if git diff --quiet "$base" -- schema ':!schema/yandex-replace.json' scripts/gen-bindings.ts scripts/gen-bindings.sh package-lock.json && [[ -f $ROOT/.gen/providers/.stamp ]]; then
  mkdir -p "$base_tree/.gen"
  cp -r "$ROOT/.gen/providers" "$base_tree/.gen/"
  touch "$base_tree/.gen/providers/.stamp"
else
  info "the provider schema differs from the base: generating the base's bindings"
fi
# The working tree's settings and generated secrets, so both sides synthesize the same values.
for f in settings.yaml settings.example.yaml .local/secrets/bingo_db_password; do
  if [[ -f $ROOT/$f ]]; then
    mkdir -p "$(dirname "$base_tree/$f")"
    cp "$ROOT/$f" "$base_tree/$f"
  fi
done

step "Synthesizing the base"
synth_into "$base_tree" "$work/base-out" || die "the base revision $base_label does not synthesize" "compare with another revision: BASE=<ref> make diff"

step "Comparing"
node --import tsx "$ROOT/scripts/review-diff/main.ts" \
  --base "$work/base-out" --head "$work/head" --base-root "$base_tree" --head-root "$ROOT" \
  --base-label "$base_label" --head-label "working tree" --settings "$settings_note"
info "review diff made in $(( ($(date +%s%N) - start) / 1000000 )) ms"
