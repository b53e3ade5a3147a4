# shellcheck shell=bash
# What runs: nodes, daemons, the service through the balancer. Sourced by scripts/local-nodes.sh.

status() {
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd is not running: no local nodes (make deploy starts everything)"
    return 0
  fi
  local node name state
  printf '%-10s %-15s %-10s %s\n' NODE ADDRESS CONTAINER SYSTEMD
  for node in "${NODES[@]}"; do
    name=$(node_container "$node")
    state=$(docker inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo absent)
    local sysd=-
    [[ $state == running ]] && sysd=$(docker exec "$name" systemctl is-system-running 2>/dev/null || true)
    printf '%-10s %-15s %-10s %s\n' "$node" "${NODE_IP[$node]}" "$state" "$sysd"
  done
  local d
  for d in cloud-standin group-controller balancer; do
    printf '%-17s %s\n' "$d:" "$(daemon_running "$d" && echo "running (log: ${CLOUD_DIR#"$ROOT"/}/$d.log)" || echo "not running")"
  done
  printf '\nservice (balancer): http://localhost/ping -> %s\n' "$(curl -s -m 3 http://localhost/ping || echo 'no answer')"
}
