# shellcheck shell=bash
# The nodes: SSH keys, seeds, creating, destroying, re-creating and restarting them,
# their state, and SSH to them. Sourced by scripts/local-nodes.sh.

ensure_keys() {
  mkdir -p "$SSH_DIR"
  chmod 700 "$STATE" "$SSH_DIR"
  [[ -f $SSH_DIR/id_ed25519 ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "bingo-local-$(hostname)" -f "$SSH_DIR/id_ed25519"
}

# This host's loopback ports the installation takes: the balancer's (caught before any
# listener on loopback would see them) and Prometheus's forward.
check_ports_free() {
  local port
  for port in 80 443 "$PROMETHEUS_PORT"; do
    if ss -Hltn "sport = :$port" | awk -v b="$FRONTEND_BIND" '$4 ~ "^(" b "|0\\.0\\.0\\.0|\\*|\\[::\\]):"' | grep -q .; then
      die "port $port on this host is busy ($(ss -Hltnp "sport = :$port" | awk '{print $NF}' | head -n1))" \
        "stop what listens on it, or run make clean if it is an earlier local installation"
    fi
  done
}

node_container() { echo "$NODE_PREFIX$1"; }

# The NoCloud seed (the VM's user-data and a new instance id) and the local CA,
# as a tar stream for docker cp.
node_seed_tar() {
  local node=$1 tmp
  tmp=$(mktemp -d)
  install -d -m 700 "$tmp/var/lib/cloud/seed/nocloud"
  install -m 600 "$CLOUD_DIR/seeds/$node/user-data" "$tmp/var/lib/cloud/seed/nocloud/user-data"
  printf 'instance-id: %s-%s\nlocal-hostname: %s\n' "${NODE_CLOUD_NAME[$node]}" "$(date +%s%N)" "$node" \
    >"$tmp/var/lib/cloud/seed/nocloud/meta-data"
  install -D -m 644 "$CLOUD_DIR/tls/ca.crt" "$tmp/usr/local/share/ca-certificates/bingo-local-cloud.crt"
  install -D -m 644 "$CLOUD_DIR/tls/ca-bundle.crt" "$tmp/etc/ssl/certs/ca-certificates.crt"
  tar -C "$tmp" -c .
  rm -rf "$tmp"
}

# Creates a node from the image with its seed and starts it: cloud-init does the rest.
start_node() {
  local node=$1 name publish=() volumes=() fqdn
  name=$(node_container "$node")
  if docker container inspect "$name" >/dev/null 2>&1; then
    return 0
  fi
  if [[ $node == "$JUMP_NODE" ]]; then
    check_ports_free
    publish+=(-p "$FRONTEND_BIND:$PROMETHEUS_PORT:$PROMETHEUS_PORT/tcp")
  fi
  # Every node gets its own /var/lib/docker volume: overlayfs cannot nest on overlayfs.
  volumes+=(-v "$name-docker:/var/lib/docker")
  fqdn=$(node_fqdn "$node")
  info "starting $node (${NODE_IP[$node]}, $fqdn)"
  docker create --name "$name" --hostname "$node" \
    --network "$NET_NAME" --ip "${NODE_IP[$node]}" --network-alias "$fqdn" \
    --add-host "$(mirror_addhost)" --add-host "$LOCKBOX_HOST:$CLOUD_ADDRESS" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --device-cgroup-rule='a *:* rwm' \
    --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --stop-signal SIGRTMIN+3 --label bingo.node="$node" \
    "${volumes[@]}" "${publish[@]}" "$NODE_IMAGE" >/dev/null
  node_seed_tar "$node" | docker cp - "$name:/"
  docker start "$name" >/dev/null
}

# A VM deleted with its disk; its host keys are forgotten with it.
destroy_node() {
  local node=$1 name
  [[ ${NODE_GROUP[$node]:-} == app ]] || die "only instance-group members are destroyed and re-created, not $node" "app nodes are: $(app_nodes)"
  name=$(node_container "$node")
  docker rm -f "$name" >/dev/null 2>&1 || true
  # A removal already under way (by somebody else) must end before the name is free.
  local i
  for i in $(seq 1 120); do
    docker container inspect "$name" >/dev/null 2>&1 || break
    sleep 1
  done
  docker volume rm "$name-docker" >/dev/null 2>&1 || true
  ssh-keygen -R "${NODE_IP[$node]}" -f "$SSH_DIR/known_hosts" >/dev/null 2>&1 || true
}

# The group's re-creation: the old VM and its disk go, a new one boots from the template.
recreate_node() {
  destroy_node "$1"
  start_node "$1"
  info "$1 re-created"
}

# A VM restarted (or started again) by the group: the same disk, so cloud-init does not run again.
restart_node() {
  local name
  name=$(node_container "$1")
  if [[ $(node_state "$1") == running ]]; then docker restart -t 10 "$name" >/dev/null; else resume_node "$name"; fi
  info "$1 restarted"
}

app_nodes() { local n; for n in "${NODES[@]}"; do [[ ${NODE_GROUP[$n]} == app ]] && printf '%s ' "$n"; done; }

node_state() {
  local name
  name=$(node_container "$1")
  if ! docker container inspect "$name" >/dev/null 2>&1; then echo absent; return 0; fi
  if [[ $(docker inspect -f '{{.State.Paused}}' "$name") == true ]]; then echo paused; return 0; fi
  docker inspect -f '{{.State.Status}}' "$name"
}

ssh_base_opts() {
  echo "-i $SSH_DIR/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$SSH_DIR/known_hosts" \
    "-o StrictHostKeyChecking=accept-new -o ConnectTimeout=5 -o BatchMode=yes -o LogLevel=ERROR"
}

# db and app nodes are reached through the jump host, as in the cloud.
ssh_cmd() {
  local node=$1
  shift
  local opts
  opts=$(ssh_base_opts)
  if [[ ${NODE_GROUP[$node]} == frontend ]]; then
    # shellcheck disable=SC2086
    ssh $opts "ansible@${NODE_IP[$node]}" "$@"
  else
    # shellcheck disable=SC2086
    ssh $opts -o "ProxyCommand=ssh $opts -W %h:%p ansible@${NODE_IP[$JUMP_NODE]}" "ansible@${NODE_IP[$node]}" "$@"
  fi
}

wait_ssh() {
  local node=$1 i
  # shellcheck disable=SC2034 # i only counts the attempts
  for i in $(seq 1 60); do
    ssh_cmd "$node" true 2>/dev/null && return 0
    sleep 1
  done
  die "node $node does not answer SSH after 60 s" "look at 'docker logs $(node_container "$node")' and run make status"
}

require_node() {
  [[ -n ${NODE_IP[$1]:-} ]] || die "unknown node '$1'" "nodes are: ${NODES[*]}"
  docker container inspect "$(node_container "$1")" >/dev/null 2>&1 ||
    die "node $1 does not exist" "run make deploy first"
}
