# shellcheck shell=bash
# Fault injection: a node broken on purpose (down) and brought back (up).
# Sourced by scripts/local-nodes.sh.

# Runs a stopped or paused node container again, with the containers inside it that
# node_down paused.
resume_node() {
  local name=$1
  if [[ $(docker inspect -f '{{.State.Paused}}' "$name") == true ]]; then
    docker unpause "$name" >/dev/null
    docker exec "$name" sh -c 'command -v docker >/dev/null || exit 0; docker ps -q --filter status=paused | xargs -r docker unpause' >/dev/null
  fi
  [[ $(docker inspect -f '{{.State.Running}}' "$name") == true ]] || docker start "$name" >/dev/null
}

node_down() {
  local node=$1 mode=${2:-stop} name
  require_node "$node"
  name=$(node_container "$node")
  # Held: the group controller leaves a node broken by hand alone until node-up.
  mkdir -p "$HOLD_DIR"
  touch "$HOLD_DIR/$node"
  case $mode in
    stop) docker stop -t 10 "$name" >/dev/null ;;
    kill) docker kill "$name" >/dev/null ;;
    pause)
      # Containers inside a node (bingo on the app nodes) may sit in cgroups of their own,
      # outside the node's (cgroup v1 hosts): freeze them first, or they keep serving.
      docker exec "$name" sh -c 'command -v docker >/dev/null || exit 0; docker ps -q | xargs -r docker pause' >/dev/null
      docker pause "$name" >/dev/null
      ;;
    isolate) docker network disconnect "$NET_NAME" "$name" ;;
    *) die "unknown mode '$mode'" "use one of: stop kill pause isolate" ;;
  esac
  info "$node is down ($mode)"
}

node_up() {
  local node=$1 name
  require_node "$node"
  name=$(node_container "$node")
  resume_node "$name"
  if [[ -z $(docker inspect -f "{{with index .NetworkSettings.Networks \"$NET_NAME\"}}{{.IPAddress}}{{end}}" "$name") ]]; then
    docker network connect --ip "${NODE_IP[$node]}" --alias "$(node_fqdn "$node")" "$NET_NAME" "$name"
  fi
  wait_ssh "$node"
  rm -f "$HOLD_DIR/$node"
  info "$node is up"
}
