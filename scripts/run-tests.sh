#!/usr/bin/env bash
# make test / test-unit / lint. Phases:
#   lint     tsc --noEmit, eslint, the GitHub workflows (action-validator), ansible-lint
#            (production profile), promtool on the rules, amtool on Alertmanager's config
#   unit     lint + unit tests (tests/cloud, tests/acceptance) + offline terraform validate
#   standin  the bingo stand-in against a real PostgreSQL (tests/bingo)
#   install  make deploy onto local nodes, then tests/install and an acceptance smoke run
#   all      every phase above, in that order
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"
phase="${1:-all}"

# Run the node:test files under the given folders, one file at a time.
node_tests() {
  local files=()
  local dir
  for dir in "$@"; do
    [[ -d $dir ]] || continue
    while IFS= read -r f; do files+=("$f"); done < <(find "$dir" -name '*.test.ts' | sort)
  done
  if [[ ${#files[@]} -eq 0 ]]; then
    die "no test files under $*" "the test folders are tests/<area>/*.test.ts"
  fi
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
}

run_lint() {
  step "Type-check (tsc --noEmit, strict)"
  npx tsc -p tsconfig.json
  step "ESLint"
  npx eslint .
  step "GitHub Actions workflows (action-validator)"
  local wf
  for wf in .github/workflows/*.yml; do
    npx action-validator "$wf" >/dev/null || die "$wf is not a valid workflow (errors above)" "fix it; npx action-validator $wf shows the errors again"
    info "$wf: valid"
  done
  step "ansible-lint (production profile)"
  scripts/ansible-lint.sh
  step "Prometheus rules, their unit tests and the dashboards' queries (promtool)"
  scripts/check-prometheus-rules.sh
  step "Alertmanager configuration and its delivery to the alert log (amtool)"
  scripts/check-alertmanager-config.sh
}

run_unit() {
  run_lint
  # wrk is the independent tool the load driver's accuracy is compared with.
  apt_ensure wrk
  step "Unit tests"
  node_tests tests/cloud tests/local-cloud tests/acceptance
  step "Offline terraform validate of every stack"
  scripts/validate.sh
}

run_standin() {
  step "Stand-in tests against a real PostgreSQL"
  node_tests tests/bingo
}

run_install() {
  step "Deploying onto local nodes"
  scripts/local-deploy.sh
  step "Installation tests"
  node_tests tests/install
  step "Acceptance smoke profile with one failover drill"
  PROFILE=ci scripts/acceptance.sh
}

scripts/npm-deps.sh
scripts/gen-bindings.sh
case "$phase" in
  lint) run_lint ;;
  unit) run_unit ;;
  standin) run_standin ;;
  install) run_install ;;
  all) run_unit; run_standin; run_install ;;
  *) die "unknown test phase '$phase'" "use one of: lint unit standin install all" ;;
esac
