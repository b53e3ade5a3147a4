#!/usr/bin/env bash
# make acceptance: the customer's checks against the deployed installation.
#   PROFILE=full|smoke|ci   what to run (default full: steady, peak, every drill)
#   DRILLS=a,b              only these drills (container-kill degrade node-stop pgbouncer-restart nginx-restart
#                           instance-recreate)
#   BREAK_RATE=120          the rate offered while a drill's part is broken (default: the profile's
#                           steady rate, 60, as the requirement allows; 120 holds the peak through it)
#   URL=https://...         the public URL (default: from the deployed inventory)
#   INVENTORY=path          the Ansible inventory (default: cloud with credentials, else local)
# Prints the verdict table; writes reports/acceptance.json and reports/acceptance.html.
# Exit status 0 only if every check passes.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

PROFILE="${PROFILE:-full}"
case "$PROFILE" in
  full | smoke | ci) ;;
  *) die "unknown PROFILE '$PROFILE'" "use PROFILE=full, PROFILE=smoke or PROFILE=ci" ;;
esac
export PROFILE

apt_ensure openssh-client curl
scripts/npm-deps.sh

inventory="${INVENTORY:-}"
if [[ -z $inventory ]]; then
  if have_cloud_credentials && [[ -f ansible/inventories/cloud/hosts.yml ]]; then
    inventory=ansible/inventories/cloud/hosts.yml
  else
    inventory=ansible/inventories/local/hosts.yml
  fi
fi
[[ -f $inventory ]] || die "no inventory at $inventory" "deploy first with make deploy, or pass INVENTORY=path/to/hosts.yml"
export INVENTORY="$inventory"

step "Acceptance run: profile $PROFILE, ${URL:-URL from $inventory}"
set +e
node --import tsx acceptance/main.ts
status=$?
set -e
case $status in
  0) info "every check passed" ;;
  1) die "some checks failed (see the table above and reports/acceptance.html)" "fix the installation, then run make acceptance again" ;;
  *) die "the acceptance run could not complete" "check that the installation is deployed (make deploy) and reachable, then retry" ;;
esac
