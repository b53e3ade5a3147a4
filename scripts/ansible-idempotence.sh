#!/usr/bin/env bash
# Run the controller's run (scripts/controller-run.sh: site.yml) again and fail when any
# host reports changed>0: a converged installation must be left exactly as it is. Usage:
#   scripts/ansible-idempotence.sh [INVENTORY] [extra ansible-playbook arguments]
# INVENTORY defaults to the local nodes (ansible/inventories/local), whose run gets the
# environment the local apply resolved; for the cloud's, export BINGO_DB_PASSWORD and
# BINGO_DB_CLUSTER_SECRET (from Lockbox) as the frontend stack does.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

inventory="${1:-ansible/inventories/local}"
[[ $# -gt 0 ]] && shift
[[ -e $inventory ]] || die "no inventory at $inventory" "deploy first (make deploy), or pass the inventory folder"
[[ $inventory == ansible/inventories/local* ]] && load_local_controller_env

mkdir -p reports
# One log per run, so two runs at once never mix their output.
log="reports/ansible-idempotence.$(date +%Y%m%dT%H%M%S).$$.log"
step "Running the controller's run again on $inventory (expecting changed=0 everywhere)"
t0=$(date +%s)
rc=0
ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 scripts/controller-run.sh "$inventory" "$@" >"$log" 2>&1 || rc=$?
elapsed=$(($(date +%s) - t0))
[[ $rc -eq 0 ]] || { tail -n 40 "$log" >&2; die "the second run failed (exit $rc) after ${elapsed} s; full log: $log" "fix the failing task, then run this again"; }

# The recap lines: "host : ok=N changed=N unreachable=N failed=N ...".
recap=$(sed -n '/^PLAY RECAP/,$p' "$log" | grep -E '^[^ ].* : ok=' || true)
[[ -n $recap ]] || die "no PLAY RECAP in $log" "read the log: the playbook did not finish normally"
info "second run took ${elapsed} s"
printf '%s\n' "$recap" | sed 's/^/    /'

changed_hosts=$(printf '%s\n' "$recap" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) { split($i, kv, "="); if (kv[2] > 0) print $1 } }')
if [[ -n $changed_hosts ]]; then
  echo "Tasks that reported a change:" >&2
  grep -E '^(TASK \[|changed: )' "$log" | grep -B1 '^changed: ' | grep -v '^--$' >&2 || true
  die "the second run changed something on: $(echo "$changed_hosts" | tr '\n' ' ')" \
    "make those tasks idempotent (changed_when, creates:, or a real state check); full log: $log"
fi
info "idempotent: every host reports changed=0"
