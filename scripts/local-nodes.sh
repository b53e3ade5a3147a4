#!/usr/bin/env bash
# Local nodes: four Docker containers running systemd that stand in for the cloud VMs.
#
#   local-nodes.sh up                 host packages, dockerd, node image, network, nodes, inventory
#   local-nodes.sh up NODE            bring a node broken with `down` back and wait for SSH
#   local-nodes.sh down NODE MODE     break a node: stop | kill | pause | isolate (cut its network)
#   local-nodes.sh status             nodes, their systemd state, and what answers on the frontend
#   local-nodes.sh clean              remove nodes, volumes, network, keys, inventory; stop our dockerd
#   local-nodes.sh ssh NODE [CMD...]  a shell on a node, the way Ansible reaches it
#
# Everything the nodes look like is set in scripts/lib/local-nodes.conf.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$ROOT/scripts/lib/local-nodes.conf"

STATE="$ROOT/.local"
SSH_DIR="$STATE/ssh"
INVENTORY="$ROOT/ansible/inventories/local/hosts.yml"
DOCKERD_PIDFILE="$STATE/dockerd.pid"

# ---------------------------------------------------------------- host set-up

ensure_host_packages() {
  apt_ensure docker.io debootstrap ansible ansible-core ansible-lint iptables openssh-client \
    curl ca-certificates iproute2 acl
}

check_kernel() {
  [[ -d /sys/fs/cgroup ]] || die "no /sys/fs/cgroup on this host" "the nodes need cgroups: run on a Linux host with cgroups mounted"
  if ! grep -qw overlay /proc/filesystems 2>/dev/null; then
    modprobe overlay 2>/dev/null || true
    grep -qw overlay /proc/filesystems ||
      die "the kernel has no overlay filesystem" "load it with 'modprobe overlay' or run on a kernel that has it"
  fi
  iptables -L -n >/dev/null 2>&1 ||
    die "iptables does not work here" "the nodes' network needs netfilter: run as root on a host with iptables"
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  step "Starting dockerd (it was not running; make clean stops it again)"
  mkdir -p "$STATE"
  # setsid: dockerd must outlive this script and the shell that ran make.
  setsid dockerd --storage-driver=overlay2 --exec-opt native.cgroupdriver=cgroupfs \
    >"$STATE/dockerd.log" 2>&1 < /dev/null &
  echo $! >"$DOCKERD_PIDFILE"
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { info "dockerd is up (${i}s)"; return 0; }
    sleep 1
  done
  tail -n 20 "$STATE/dockerd.log" >&2
  die "dockerd did not start within 60 s (log: $STATE/dockerd.log)" "fix the error above, then run make deploy again"
}

# The Debian mirror named in the host's apt sources (the only one this project uses),
# resolved here so nodes can reach it.
mirror_url() {
  local url
  url=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -v security | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  [[ -n $url ]] || die "no Debian mirror in this host's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/)" \
    "add the Debian mirror you use there (a 'deb URL SUITE main' line or a deb822 'URIs:' entry), then retry"
  echo "$url"
}

mirror_host() { mirror_url | sed -E 's#^https?://([^/:]+).*#\1#'; }

mirror_addhost() {
  local host addr
  host=$(mirror_host)
  addr=$(getent ahostsv4 "$host" | awk 'NR==1 {print $1}')
  [[ -n $addr ]] || die "cannot resolve the Debian mirror '$host' on this host" "check DNS or the apt sources, then retry"
  echo "$host:$addr"
}

# ---------------------------------------------------------------- node image

image_recipe_hash() {
  { declare -p NODE_SUITE NODE_PACKAGES; cat "$ROOT/scripts/lib/node-image.sh"; } | sha1sum | cut -c1-12
}

ensure_image() {
  local want have
  want=$(image_recipe_hash)
  have=$(docker image inspect -f '{{ index .Config.Labels "bingo.recipe" }}' "$NODE_IMAGE" 2>/dev/null || true)
  if [[ $have == "$want" ]]; then
    return 0
  fi
  local mirror
  mirror=$(mirror_url)
  step "Building the node image $NODE_IMAGE (Debian $NODE_SUITE with debootstrap, about a minute)"
  "$ROOT/scripts/lib/node-image.sh" "$NODE_IMAGE" "$NODE_SUITE" "$mirror" "$NODE_PACKAGES" "$want"
}

# ---------------------------------------------------------------- network

ensure_network() {
  if ! docker network inspect "$NET_NAME" >/dev/null 2>&1; then
    step "Creating network $NET_NAME ($NET_SUBNET)"
    docker network create --driver bridge --subnet "$NET_SUBNET" --gateway "$NET_GATEWAY" \
      -o "com.docker.network.bridge.name=$NET_BRIDGE" "$NET_NAME" >/dev/null
  fi
  ensure_probe_blackhole
  ensure_host_firewall
}

# The local 8.8.8.8:80: an address on the bridge whose TCP port silently drops,
# so a node that does not reject it itself waits, exactly as in the cloud.
ensure_probe_blackhole() {
  ip addr show dev "$NET_BRIDGE" | grep -q " $PROBE_ADDRESS/" ||
    ip addr add "$PROBE_ADDRESS/32" dev "$NET_BRIDGE"
  iptables -C INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP 2>/dev/null ||
    iptables -I INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP
}

# From this host (the "internet" of the local target) only the frontend's public
# ports answer, as the cloud security groups allow; app and DB nodes are reached
# through the frontend as an SSH jump host.
ensure_host_firewall() {
  iptables -N BINGO-HOST 2>/dev/null || iptables -F BINGO-HOST
  iptables -A BINGO-HOST -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
  iptables -A BINGO-HOST -p icmp -j RETURN
  iptables -A BINGO-HOST -d "${NODE_IP[frontend]}" -p tcp -m multiport --dports 22,80,443,9090 -j RETURN
  iptables -A BINGO-HOST -d "${NODE_IP[frontend]}" -p udp --dport 443 -j RETURN
  iptables -A BINGO-HOST -d "$PROBE_ADDRESS" -j RETURN
  iptables -A BINGO-HOST -j REJECT
  iptables -C OUTPUT -o "$NET_BRIDGE" -j BINGO-HOST 2>/dev/null ||
    iptables -I OUTPUT -o "$NET_BRIDGE" -j BINGO-HOST
}

remove_host_network_rules() {
  iptables -D INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP 2>/dev/null || true
  iptables -D OUTPUT -o "$NET_BRIDGE" -j BINGO-HOST 2>/dev/null || true
  iptables -F BINGO-HOST 2>/dev/null || true
  iptables -X BINGO-HOST 2>/dev/null || true
}

# ---------------------------------------------------------------- nodes

ensure_keys() {
  mkdir -p "$SSH_DIR"
  chmod 700 "$STATE" "$SSH_DIR"
  [[ -f $SSH_DIR/id_ed25519 ]] ||
    ssh-keygen -q -t ed25519 -N '' -C "bingo-local-$(hostname)" -f "$SSH_DIR/id_ed25519"
}

check_ports_free() {
  local port proto
  for port in "${FRONTEND_PORTS[@]}"; do
    proto=${port#*/}
    port=${port%/*}
    [[ $proto == "$port" ]] && proto=tcp
    if [[ $proto == tcp ]] && ss -Hltn "sport = :$port" | grep -q .; then
      die "port $port on this host is busy ($(ss -Hltnp "sport = :$port" | awk '{print $NF}' | head -n1))" \
        "stop what listens on it, or run make clean if it is an earlier local installation"
    fi
  done
}

node_container() { echo "$NODE_PREFIX$1"; }

start_node() {
  local node=$1 name publish=() volumes=()
  name=$(node_container "$node")
  if docker container inspect "$name" >/dev/null 2>&1; then
    return 0
  fi
  if [[ $node == frontend ]]; then
    local p
    check_ports_free
    for p in "${FRONTEND_PORTS[@]}"; do publish+=(-p "$FRONTEND_BIND:${p%/*}:$p"); done
  fi
  # Every node gets its own /var/lib/docker volume: overlayfs cannot nest on overlayfs.
  volumes+=(-v "$name-docker:/var/lib/docker")
  info "starting $node (${NODE_IP[$node]})"
  docker run -d --name "$name" --hostname "$node" \
    --network "$NET_NAME" --ip "${NODE_IP[$node]}" \
    --add-host "$(mirror_addhost)" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --device-cgroup-rule='a *:* rwm' \
    --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --stop-signal SIGRTMIN+3 --label bingo.node="$node" \
    "${volumes[@]}" "${publish[@]}" "$NODE_IMAGE" >/dev/null
}

# What cloud-init does on a VM: host keys, the ansible user and its key, sudo.
provision_node() {
  local node=$1 name pub
  name=$(node_container "$node")
  pub=$(cat "$SSH_DIR/id_ed25519.pub")
  docker exec -i "$name" bash -s "$pub" <<'EOF'
set -euo pipefail
for i in $(seq 1 50); do
  state=$(systemctl is-system-running 2>/dev/null || true)
  case $state in running|degraded) break ;; esac
  sleep 0.2
done
id ansible >/dev/null 2>&1 || useradd -m -s /bin/bash ansible
install -d -m 700 -o ansible -g ansible /home/ansible/.ssh
if ! grep -qxF "$1" /home/ansible/.ssh/authorized_keys 2>/dev/null; then
  echo "$1" >/home/ansible/.ssh/authorized_keys
  chown ansible:ansible /home/ansible/.ssh/authorized_keys
  chmod 600 /home/ansible/.ssh/authorized_keys
fi
echo 'ansible ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/ansible
chmod 440 /etc/sudoers.d/ansible
EOF
}

ssh_base_opts() {
  echo "-i $SSH_DIR/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=$SSH_DIR/known_hosts" \
    "-o StrictHostKeyChecking=accept-new -o ConnectTimeout=5 -o BatchMode=yes -o LogLevel=ERROR"
}

# db and app nodes are reached through the frontend, as in the cloud.
ssh_cmd() {
  local node=$1
  shift
  local opts
  opts=$(ssh_base_opts)
  if [[ $node == frontend ]]; then
    # shellcheck disable=SC2086
    ssh $opts "ansible@${NODE_IP[frontend]}" "$@"
  else
    # shellcheck disable=SC2086
    ssh $opts -o "ProxyCommand=ssh $opts -W %h:%p ansible@${NODE_IP[frontend]}" "ansible@${NODE_IP[$node]}" "$@"
  fi
}

wait_ssh() {
  local node=$1 i
  for i in $(seq 1 60); do
    ssh_cmd "$node" true 2>/dev/null && return 0
    sleep 1
  done
  die "node $node does not answer SSH after 60 s" "look at 'docker logs $(node_container "$node")' and run make status"
}

write_inventory() {
  local opts node group tmp
  opts=$(ssh_base_opts)
  mkdir -p "$(dirname "$INVENTORY")"
  tmp=$(mktemp)
  {
    echo "# Generated by scripts/local-nodes.sh for this checkout; do not edit."
    echo "all:"
    echo "  vars:"
    echo "    ansible_user: ansible"
    echo "    ansible_ssh_private_key_file: $SSH_DIR/id_ed25519"
    echo "    ansible_ssh_common_args: >-"
    echo "      -o IdentitiesOnly=yes -o UserKnownHostsFile=$SSH_DIR/known_hosts -o StrictHostKeyChecking=accept-new"
    echo "  children:"
    for group in db app frontend; do
      echo "    $group:"
      echo "      hosts:"
      for node in "${NODES[@]}"; do
        [[ ${NODE_GROUP[$node]} == "$group" ]] || continue
        echo "        $node:"
        echo "          ansible_host: ${NODE_IP[$node]}"
        echo "          private_address: ${NODE_IP[$node]}"
        if [[ $group != frontend ]]; then
          echo "          ansible_ssh_common_args: >-"
          echo "            $(echo "$opts" | sed 's/-i [^ ]* //') -o ProxyCommand=\"ssh $opts -W %h:%p ansible@${NODE_IP[frontend]}\""
        fi
      done
    done
  } >"$tmp"
  if ! cmp -s "$tmp" "$INVENTORY" 2>/dev/null; then
    mv "$tmp" "$INVENTORY"
    info "inventory written: ${INVENTORY#"$ROOT"/}"
  else
    rm -f "$tmp"
  fi
}

all_up() {
  local t0 node
  t0=$(date +%s)
  ensure_host_packages
  check_kernel
  ensure_dockerd
  ensure_image
  ensure_keys
  ensure_network
  step "Starting nodes: ${NODES[*]}"
  for node in "${NODES[@]}"; do
    start_node "$node"
    resume_node "$(node_container "$node")"
  done
  for node in "${NODES[@]}"; do provision_node "$node"; done
  wait_ssh frontend
  for node in "${NODES[@]}"; do wait_ssh "$node"; done
  write_inventory
  info "nodes answer SSH ($(($(date +%s) - t0)) s)"
}

# ---------------------------------------------------------------- break and restore

require_node() {
  [[ -n ${NODE_IP[$1]:-} ]] || die "unknown node '$1'" "nodes are: ${NODES[*]}"
  docker container inspect "$(node_container "$1")" >/dev/null 2>&1 ||
    die "node $1 does not exist" "run make deploy first"
}

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
    docker network connect --ip "${NODE_IP[$node]}" "$NET_NAME" "$name"
  fi
  wait_ssh "$node"
  info "$node is up"
}

# ---------------------------------------------------------------- status and clean

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
  printf '\nfrontend: http://localhost/ping -> %s\n' "$(curl -s -m 3 http://localhost/ping || echo 'no answer')"
}

clean() {
  step "Removing the local installation"
  if docker info >/dev/null 2>&1; then
    local node
    for node in "${NODES[@]}"; do
      docker rm -f "$(node_container "$node")" >/dev/null 2>&1 && info "removed node $node" || true
      docker volume rm "$(node_container "$node")-docker" >/dev/null 2>&1 || true
    done
    docker network rm "$NET_NAME" >/dev/null 2>&1 && info "removed network $NET_NAME" || true
  fi
  remove_host_network_rules
  rm -f "$INVENTORY"
  if [[ -f $DOCKERD_PIDFILE ]]; then
    local pid
    pid=$(cat "$DOCKERD_PIDFILE")
    if kill "$pid" 2>/dev/null; then
      info "stopping the dockerd this installation started (pid $pid)"
      local i
      for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  fi
  rm -rf "$STATE"
  info "done (the node image $NODE_IMAGE is kept as a build cache; 'docker rmi $NODE_IMAGE' removes it)"
}

case "${1:-}" in
  up) if [[ -n ${2:-} ]]; then node_up "$2"; else all_up; fi ;;
  down) [[ -n ${2:-} ]] || die "which node?" "make node-down NODE=app1 MODE=stop"; node_down "$2" "${3:-stop}" ;;
  status) status ;;
  clean) clean ;;
  ssh) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh ssh app1"; require_node "$2"; node=$2; shift 2; ssh_cmd "$node" "$@" ;;
  *) die "usage: $0 up [NODE] | down NODE [stop|kill|pause|isolate] | status | clean | ssh NODE [CMD]" "see make help" ;;
esac
