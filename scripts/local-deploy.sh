#!/usr/bin/env bash
# The local target of `make deploy`: nodes up, the stand-in built, the site playbook
# run against the local inventory, then the URLs. Safe to run again: it converges.
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

# What the frontend stack's Ansible run does in the cloud, against the local inventory.
wait_self_configured() {
  step "Waiting for the nodes to configure themselves (cloud-init: packages, then the tier's playbook)"
  ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg" ansible all -i "$ROOT/ansible/inventories/local" -b -o \
    -m ansible.builtin.shell -a 'timeout 900 cloud-init status --wait >/dev/null; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ]'
}

run_playbook() {
  step "Configuring the nodes with ansible/site.yml"
  ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg" ansible-playbook \
    -i "$ROOT/ansible/inventories/local" "$ROOT/ansible/site.yml" "$@"
}

phase "npm dependencies" scripts/npm-deps.sh
phase "stand-in build" scripts/build-bingo.sh
phase "nodes up" scripts/local-nodes.sh up
phase "self-configuration" wait_self_configured
phase "playbooks" run_playbook "$@"

step "Timings"
printf '    %s\n' "${PHASES[@]}"
cat <<MSG

The installation runs on local nodes:
    http://localhost/            plain HTTP (no redirect)
    https://localhost/           HTTPS, self-signed certificate (curl -k)
    HTTP/3                       scripts/local-nodes.sh ssh app1 curl --http3-only -k https://frontend/ping
    http://localhost:9090/       Prometheus (metrics, alerts)
Check it as the customer's tester would:   make acceptance
Break a node and watch it heal:            make node-down NODE=app1 MODE=stop; make node-up NODE=app1
Remove everything:                         make clean
MSG
