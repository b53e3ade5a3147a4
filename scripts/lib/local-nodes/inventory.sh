# shellcheck shell=bash
# The local Ansible inventory. Sourced by scripts/local-nodes.sh.

# Written by the same module as the cloud's (inventory/), so both targets reach their
# hosts alike; the file is private (mktemp's mode) and replaced only when it changes.
write_inventory() {
  local specs=() node tmp
  for node in "${NODES[@]}"; do specs+=("$node=${NODE_GROUP[$node]}=${NODE_IP[$node]}"); done
  mkdir -p "$(dirname "$INVENTORY")"
  tmp=$(mktemp)
  node --import tsx "$ROOT/inventory/local-cli.ts" --user ansible --key "$SSH_DIR/id_ed25519" \
    --known-hosts "$SSH_DIR/known_hosts" --ssh-opts="$(ssh_base_opts)" --jump-node "$JUMP_NODE" "${specs[@]}" >"$tmp" ||
    { rm -f "$tmp"; die "the local inventory cannot be written" "fix what is reported above (scripts/lib/local-nodes.conf)"; }
  if ! cmp -s "$tmp" "$INVENTORY" 2>/dev/null; then
    mv "$tmp" "$INVENTORY"
    info "inventory written: ${INVENTORY#"$ROOT"/}"
  else
    rm -f "$tmp"
  fi
}
