# shellcheck shell=bash
# The whole local installation brought up, in order. Sourced by scripts/local-nodes.sh.

all_up() {
  local t0 node
  t0=$(date +%s)
  ensure_host_packages
  check_kernel
  ensure_dockerd
  ensure_image
  ensure_keys
  step "Synthesizing the stacks for the local network and applying them here"
  local_apply
  ensure_network
  ensure_cloud_standin
  step "Starting nodes: ${NODES[*]} (each configures itself from its user-data)"
  for node in "${NODES[@]}"; do
    start_node "$node"
    resume_node "$(node_container "$node")"
  done
  wait_ssh "$JUMP_NODE"
  for node in "${NODES[@]}"; do wait_ssh "$node"; done
  write_inventory
  start_group_controller
  ensure_balancer
  info "nodes answer SSH ($(($(date +%s) - t0)) s)"
}
