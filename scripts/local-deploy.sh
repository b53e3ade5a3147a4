#!/usr/bin/env bash
# The local target of `make deploy`: the stand-in built, the nodes up (booting from the
# synthesized user-data), then the controller's run as in the cloud, then the URLs.
# Safe to run again: it converges.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

declare -a PHASES=()
phase() {
  # phase NAME COMMAND...: run a step and remember how long it took.
  local name=$1 t0 rc=0
  shift
  t0=$(date +%s)
  "$@" || rc=$?
  PHASES+=("$(printf '%-26s %4d s' "$name" $(($(date +%s) - t0)))")
  [[ $rc -eq 0 ]] || die "$name failed (exit $rc)" "read the output above; after fixing it, make deploy resumes where it stopped"
}

# The frontend stack's Ansible run, the very script the cloud runs, given the local
# inventory and the run's environment as the local apply resolved it (the database
# password read from the Lockbox stand-in, the expected bingo port, the playbooks).
controller_run() {
  load_local_controller_env
  "$ROOT/scripts/controller-run.sh" "$ROOT/ansible/inventories/local" "$@"
}

phase "npm dependencies" scripts/npm-deps.sh
phase "stand-in build" scripts/build-bingo.sh
phase "nodes up" scripts/local-nodes.sh up
phase "controller's run" controller_run "$@"

step "Timings"
printf '    %s\n' "${PHASES[@]}"
cat <<MSG

The installation runs on local nodes:
    http://localhost/            plain HTTP (no redirect)
    https://localhost/           HTTPS, self-signed certificate (curl -k)
    HTTP/3                       scripts/local-nodes.sh ssh app1 curl --http3-only -k https://bingo-frontend-1.ru-central1.internal/ping
    http://localhost:9090/       Prometheus (metrics, alerts)
Check it as the customer's tester would:   make acceptance
Break a node and watch it heal:            make node-down NODE=app1 MODE=stop; make node-up NODE=app1
Remove everything:                         make clean
MSG
