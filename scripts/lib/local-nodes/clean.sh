# shellcheck shell=bash
# Removing the local installation. Sourced by scripts/local-nodes.sh.

clean() {
  step "Removing the local installation"
  stop_daemon group-controller
  stop_daemon balancer
  stop_daemon cloud-standin
  if docker info >/dev/null 2>&1; then
    local node
    for node in "${NODES[@]}"; do
      docker rm -f "$(node_container "$node")" >/dev/null 2>&1 && info "removed node $node" || true
      docker volume rm "$(node_container "$node")-docker" >/dev/null 2>&1 || true
    done
    docker network rm "$NET_NAME" >/dev/null 2>&1 && info "removed network $NET_NAME" || true
  fi
  remove_host_network_rules
  rm -f "$INVENTORY" "$GROUP_VARS"
  if [[ -f $DOCKERD_PIDFILE ]]; then
    local pid
    pid=$(cat "$DOCKERD_PIDFILE")
    if kill "$pid" 2>/dev/null; then
      info "stopping the dockerd this installation started (pid $pid)"
      local i
      # shellcheck disable=SC2034 # i only counts the attempts
      for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  fi
  rm -rf "$STATE"
  info "done (the node image $NODE_IMAGE is kept as a build cache; 'docker rmi $NODE_IMAGE' removes it)"
}
