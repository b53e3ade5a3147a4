#!/usr/bin/env bash
# `npx ansible-lint` / `make lint`: Debian's ansible-lint in the production profile
# over ansible/ (site.yml, the tier playbooks, the roles). Extra arguments are passed on.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

apt_ensure ansible-lint ansible
cd "$ROOT/ansible"
# The collections come from Debian's `ansible` package; nothing is fetched from Galaxy.
export ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="/usr/share/ansible/collections:/usr/lib/python3/dist-packages"
export ANSIBLE_ROLES_PATH="$ROOT/ansible/roles"
# The generated inventories hold machine-specific hosts, not code to lint.
exec ansible-lint --offline --profile production \
  --exclude inventories/local/hosts.yml --exclude inventories/cloud \
  "$@" site.yml playbooks roles group_vars inventories
