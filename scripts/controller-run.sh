#!/usr/bin/env bash
# The controller's Ansible run, the same for the cloud and the local nodes:
#   scripts/controller-run.sh INVENTORY [ansible-playbook options...]
# 1. waits until every host of INVENTORY (a file or an inventory folder) answers SSH,
# 2. waits until cloud-init finished on every host that has it (the self-configuring
#    DB VM loads its data during its first boot: 9-20 min with the real prepare_db),
# 3. runs the playbooks (site.yml) with the options given,
# 4. when EXPECTED_APP_PORT is set, checks that bingo listens on that port on every
#    app node (the port the security groups and the health check were built for).
# Environment:
#   EXPECTED_APP_PORT   port every app node must report in /etc/ansible/facts.d/bingo.fact (unset: no check)
#   BINGO_WAIT_SECONDS  seconds to wait for SSH and for cloud-init on each host (default 3600)
#   BINGO_PLAYBOOKS     playbooks to run, relative to ansible/, space-separated (default site.yml)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

inventory="${1:-}"
[[ -n $inventory ]] || die "usage: scripts/controller-run.sh INVENTORY [ansible-playbook options...]" \
  "pass the inventory file (cloud: ansible/inventories/cloud/hosts.yml) or folder (local: ansible/inventories/local)"
shift
[[ -e $inventory ]] || die "inventory $inventory does not exist" "deploy the hosts first (make deploy writes the inventory)"
inventory="$(cd "$(dirname "$inventory")" && pwd)/$(basename "$inventory")"
wait_s="${BINGO_WAIT_SECONDS:-3600}"
[[ $wait_s =~ ^[0-9]+$ ]] || die "BINGO_WAIT_SECONDS=$wait_s is not a number of seconds" "unset it (3600) or set a whole number"
read -r -a playbooks <<<"${BINGO_PLAYBOOKS:-site.yml}"

export ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg"
cd "$ROOT/ansible"

step "Waiting for SSH on every host (up to $wait_s s)"
ansible all -i "$inventory" -m ansible.builtin.wait_for_connection -a "timeout=$wait_s"

step "Waiting for cloud-init on every host that runs it (up to $wait_s s)"
# A self-configuring VM finishes its own run first; exit 2 = finished with warnings.
ansible all -i "$inventory" -b -m ansible.builtin.shell -a \
  "command -v cloud-init >/dev/null || exit 0; timeout $wait_s cloud-init status --wait >/dev/null; rc=\$?; [ \$rc -eq 0 ] || [ \$rc -eq 2 ]"

step "Running ${playbooks[*]}"
ansible-playbook -i "$inventory" "${playbooks[@]}" "$@"

if [[ -n ${EXPECTED_APP_PORT:-} ]]; then
  step "Checking the port bingo listens on"
  ports=$(ansible app -i "$inventory" -b -o -m ansible.builtin.command -a 'cat /etc/ansible/facts.d/bingo.fact' |
    sed -n 's/.*"port": *\([0-9]*\).*/\1/p' | sort -u)
  [[ -n $ports ]] || die "no app node reported its bingo port (/etc/ansible/facts.d/bingo.fact)" \
    "read the bingo_app role's output above; the app nodes record the port when bingo starts"
  for p in $ports; do
    [[ $p == "$EXPECTED_APP_PORT" ]] || die \
      "bingo listens on port $p for this student_email, but app.port in the settings is $EXPECTED_APP_PORT (the security groups and the health check use it)." \
      "set app.port: $p in settings.yaml (or BINGO_APP_PORT=$p) and run make deploy again"
  done
  info "bingo answers on port $EXPECTED_APP_PORT on every app node"
fi
