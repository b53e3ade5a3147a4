#!/usr/bin/env bash
# The Prometheus rules of the bingo installation: render the role's rule template with its
# defaults (as the role does on the frontend), then
#   promtool check rules   syntax, PromQL, templates of annotations
#   promtool test rules    the unit tests in ansible/roles/prometheus/tests/ (alerts fire and
#                          stay quiet where the service levels say so)
# Extra arguments are passed to ansible (e.g. -e prometheus_node_down_for=15s).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

apt_ensure prometheus ansible-core
role="$ROOT/ansible/roles/prometheus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "Rendering the rule template with the role's defaults"
ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg" ANSIBLE_ROLES_PATH="$ROOT/ansible/roles" \
  ansible localhost -i localhost, -c local -o \
  -e "@$role/defaults/main.yml" "$@" \
  -m ansible.builtin.template -a "src=$role/templates/bingo.rules.yml.j2 dest=$work/bingo.rules.yml mode=0644" \
  >"$work/render.log" 2>&1 || { cat "$work/render.log" >&2; die "the rule template does not render" "fix $role/templates/bingo.rules.yml.j2"; }

step "promtool check rules"
promtool check rules "$work/bingo.rules.yml" ||
  die "promtool rejects the rules" "fix $role/templates/bingo.rules.yml.j2 (rendered copy: run with bash -x to keep it)"

step "promtool test rules"
cp "$role"/tests/*.test.yml "$work/"
(cd "$work" && promtool test rules ./*.test.yml) ||
  die "a rule unit test fails" "compare the expected alerts in $role/tests/ with the rules"
info "rules and their unit tests pass"
