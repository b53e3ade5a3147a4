#!/usr/bin/env bash
# Local nodes: five Docker containers running systemd that stand in for the cloud VMs.
#
#   local-nodes.sh up                 host packages, dockerd, node image, network, the stacks
#                                     synthesized for the local network and "applied" here
#                                     (user-data, the cloud stand-in), nodes booting from
#                                     their user-data, inventory, the instance-group controller
#   local-nodes.sh up NODE            bring a node broken with `down` back and wait for SSH
#   local-nodes.sh down NODE MODE     break a node: stop | kill | pause | isolate (cut its network)
#   local-nodes.sh recreate NODE      what the instance group does to a deleted instance: a blank
#                                     disk from the image, the same name and user-data
#   local-nodes.sh restart NODE       what it does to a stopped or unhealthy one: restart it
#   local-nodes.sh destroy NODE       delete an app node's VM and disk (the group re-creates it)
#   local-nodes.sh state NODE         running | paused | exited | absent
#   local-nodes.sh standin stop|start take the cloud stand-in (metadata, Lockbox) away, or back
#   local-nodes.sh status             nodes, their systemd state, and what answers through the balancer
#   local-nodes.sh clean              remove nodes, volumes, network, keys, inventory, the cloud
#                                     stand-in and the group controller; stop our dockerd
#   local-nodes.sh ssh NODE [CMD...]  a shell on a node, the way Ansible reaches it
#
# Everything the nodes look like is set in scripts/lib/local-nodes.conf.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$ROOT/scripts/lib/local-nodes.conf"

STATE="$ROOT/.local"
SSH_DIR="$STATE/ssh"
INVENTORY="$ROOT/ansible/inventories/local/hosts.yml"
GROUP_VARS="$ROOT/ansible/inventories/local/group_vars/all.yml"
DOCKERD_PIDFILE="$STATE/dockerd.pid"
# What the local "apply" makes of the synthesized stacks (local-cloud/apply.ts).
CLOUD_DIR="$STATE/cloud"
SYNTH_DIR="$STATE/cdktf.out"
HOLD_DIR="$CLOUD_DIR/hold"

# ---------------------------------------------------------------- host set-up

ensure_host_packages() {
  apt_ensure docker.io debootstrap ansible ansible-core ansible-lint iptables openssh-client \
    curl ca-certificates iproute2 acl openssl
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
  { declare -p NODE_SUITE NODE_PACKAGES NODE_IMAGE_PACKAGES; cat "$ROOT/scripts/lib/node-image.sh"; } | sha1sum | cut -c1-12
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
  "$ROOT/scripts/lib/node-image.sh" "$NODE_IMAGE" "$NODE_SUITE" "$mirror" "$NODE_PACKAGES" "$NODE_IMAGE_PACKAGES" "$want" "$(mirror_addhost)"
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

# An address of this host on the bridge. (Not `ip ... | grep -q`: grep quits at the
# first match, ip may then die of SIGPIPE, and pipefail reads that as "absent".)
ensure_bridge_address() {
  [[ -n $(ip -o addr show dev "$NET_BRIDGE" to "$1/32") ]] || ip addr add "$1/32" dev "$NET_BRIDGE"
}

# The local 8.8.8.8:80: an address on the bridge whose TCP port silently drops,
# so a node that does not reject it itself waits, exactly as in the cloud.
ensure_probe_blackhole() {
  ensure_bridge_address "$PROBE_ADDRESS"
  iptables -C INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP 2>/dev/null ||
    iptables -I INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP
}

# From this host (the "internet" of the local target) only the frontends' public
# ports answer, as the cloud security groups allow; app and DB nodes are reached
# through the first frontend as an SSH jump host.
ensure_host_firewall() {
  iptables -N BINGO-HOST 2>/dev/null || iptables -F BINGO-HOST
  iptables -A BINGO-HOST -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
  iptables -A BINGO-HOST -p icmp -j RETURN
  local node port
  for node in "${NODES[@]}"; do
    [[ ${NODE_GROUP[$node]} == frontend ]] || continue
    iptables -A BINGO-HOST -d "${NODE_IP[$node]}" -p tcp -m multiport --dports "22,80,443,$PROMETHEUS_PORT" -j RETURN
    iptables -A BINGO-HOST -d "${NODE_IP[$node]}" -p udp --dport 443 -j RETURN
  done
  iptables -A BINGO-HOST -d "$PROBE_ADDRESS" -j RETURN
  # The instance group's health checks reach bingo on the app nodes, as in the cloud.
  port=$(group_health_port)
  for node in "${NODES[@]}"; do
    [[ ${NODE_GROUP[$node]} == app ]] && iptables -A BINGO-HOST -d "${NODE_IP[$node]}" -p tcp --dport "$port" -j RETURN
  done
  iptables -A BINGO-HOST -j REJECT
  iptables -C OUTPUT -o "$NET_BRIDGE" -j BINGO-HOST 2>/dev/null ||
    iptables -I OUTPUT -o "$NET_BRIDGE" -j BINGO-HOST
  ensure_link_local_drop
}

# No packet from a node may reach a link-local address beyond this host (the machine
# may have a metadata service of its own at 169.254.169.254): only the DNAT to the
# cloud stand-in (ensure_cloud_standin) passes, everything else is dropped.
ensure_link_local_drop() {
  iptables -C DOCKER-USER -s "$NET_SUBNET" -d 169.254.0.0/16 -j DROP 2>/dev/null ||
    iptables -I DOCKER-USER -s "$NET_SUBNET" -d 169.254.0.0/16 -j DROP
  iptables -C INPUT -i "$NET_BRIDGE" -d 169.254.0.0/16 -j DROP 2>/dev/null ||
    iptables -I INPUT -i "$NET_BRIDGE" -d 169.254.0.0/16 -j DROP
}

# The balancer stand-in's NAT chain (filled by local-cloud/balancer.ts) and its jumps:
# connections to the service's address, and to this host's ports 80 and 443 on
# loopback (route_localnet and the masquerade let them leave loopback for the bridge).
balancer_jumps() {
  local op=$1 rule
  local -a rules=(
    "OUTPUT -d $BALANCER_ADDRESS -j $BALANCER_CHAIN"
    "OUTPUT -d $FRONTEND_BIND/32 -p tcp -m multiport --dports 80,443 -j $BALANCER_CHAIN"
    "OUTPUT -d $FRONTEND_BIND/32 -p udp --dport 443 -j $BALANCER_CHAIN"
    "POSTROUTING -s 127.0.0.0/8 -o $NET_BRIDGE -j MASQUERADE"
  )
  for rule in "${rules[@]}"; do
    # shellcheck disable=SC2086
    case $op in
      -A) iptables -t nat -C $rule 2>/dev/null || iptables -t nat -I $rule ;;
      -D) iptables -t nat -D $rule 2>/dev/null || true ;;
    esac
  done
}

ensure_balancer() {
  iptables -t nat -N "$BALANCER_CHAIN" 2>/dev/null || true
  sysctl -qw "net.ipv4.conf.$NET_BRIDGE.route_localnet=1"
  balancer_jumps -A
  stop_daemon balancer >/dev/null
  start_daemon balancer node --import tsx "$ROOT/local-cloud/balancer.ts" "$CLOUD_DIR/cloud.json" "$BALANCER_CHAIN"
  info "frontends' balancer on $BALANCER_ADDRESS and $FRONTEND_BIND:80,443 (log: ${CLOUD_DIR#"$ROOT"/}/balancer.log)"
}

remove_host_network_rules() {
  balancer_jumps -D
  iptables -t nat -F "$BALANCER_CHAIN" 2>/dev/null || true
  iptables -t nat -X "$BALANCER_CHAIN" 2>/dev/null || true
  iptables -D INPUT -d "$PROBE_ADDRESS" -p tcp --dport "$PROBE_PORT" -j DROP 2>/dev/null || true
  iptables -D DOCKER-USER -s "$NET_SUBNET" -d 169.254.0.0/16 -j DROP 2>/dev/null || true
  iptables -D INPUT -i "$NET_BRIDGE" -d 169.254.0.0/16 -j DROP 2>/dev/null || true
  metadata_dnat -D
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

# ---------------------------------------------------------------- the cloud's route

# Synthesizes the cloud stacks from the local settings profile and "applies" them
# here (local-cloud/apply.ts): each node's user-data, the cloud stand-in's state,
# the group's health check, the VPC DNS names and the controller's variables.
local_apply() {
  local specs=() node
  for node in "${NODES[@]}"; do specs+=("$node=${NODE_CLOUD_NAME[$node]}=${NODE_IP[$node]}"); done
  # The service's reserved public address is played by the balancer stand-in's.
  specs+=("balancer=$BALANCER_ADDRESS_NAME=$BALANCER_ADDRESS")
  BINGO_SETTINGS="$ROOT/$LOCAL_SETTINGS" CDKTF_OUTDIR="$SYNTH_DIR" \
    BINGO_SSH_PUBLIC_KEY="$(cat "$SSH_DIR/id_ed25519.pub")" BINGO_SSH_PRIVATE_KEY_FILE="$SSH_DIR/id_ed25519" \
    "$ROOT/scripts/synth.sh" >"$STATE/synth.log" 2>&1 || { cat "$STATE/synth.log" >&2; die "synthesizing the stacks for the local network failed" "fix what is reported above ($LOCAL_SETTINGS)"; }
  chmod -R go-rwx "$SYNTH_DIR"
  node --import tsx "$ROOT/local-cloud/apply.ts" "$SYNTH_DIR" "$CLOUD_DIR" "${specs[@]}" ||
    die "the synthesized stacks cannot be applied to the local nodes" "fix what is reported above"
  mkdir -p "$(dirname "$GROUP_VARS")"
  cp "$CLOUD_DIR/group_vars.yml" "$GROUP_VARS"
  info "stacks synthesized from $LOCAL_SETTINGS and applied to the local nodes"
}

group_health_port() { node -e 'console.log(require(process.argv[1]).group.healthCheck.port)' "$CLOUD_DIR/cloud.json"; }

node_fqdn() { awk -v n="$1" '$1 == n {print $2}' "$CLOUD_DIR/names"; }

# The redirect of the nodes' metadata requests to the stand-in: in place while it runs.
metadata_dnat() {
  local op=$1 rule=(PREROUTING -i "$NET_BRIDGE" -s "$NET_SUBNET" -d "$METADATA_ADDRESS" -p tcp --dport 80
    -j DNAT --to-destination "$CLOUD_ADDRESS:80")
  case $op in
    -A) iptables -t nat -C "${rule[@]}" 2>/dev/null || iptables -t nat -I "${rule[@]}" ;;
    -D) iptables -t nat -D "${rule[@]}" 2>/dev/null || true ;;
  esac
}

# A CA of this checkout and the Lockbox API's certificate signed by it; the nodes trust
# the CA: ca-bundle.crt is the image's trusted CAs plus it (what update-ca-certificates
# would make), copied into each node before its first boot.
ensure_cloud_tls() {
  local dir=$CLOUD_DIR/tls
  [[ -f $dir/lockbox.crt && -f $dir/ca-bundle.crt ]] && return 0
  mkdir -p "$dir"
  # The extensions strict verifiers (Python 3.13) require of a CA and of a server certificate.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=bingo local cloud CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$LOCKBOX_HOST" -keyout "$dir/lockbox.key" -out "$dir/lockbox.csr" 2>/dev/null
  openssl x509 -req -in "$dir/lockbox.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
    -extfile <(printf '%s\n' "subjectAltName=DNS:$LOCKBOX_HOST" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
      "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid") -out "$dir/lockbox.crt" 2>/dev/null
  chmod 600 "$dir"/*.key
  { docker run --rm "$NODE_IMAGE" cat /etc/ssl/certs/ca-certificates.crt; cat "$dir/ca.crt"; } >"$dir/ca-bundle.crt"
}

# Starts a daemon of this checkout: NAME, then the command; pid in .local/cloud/NAME.pid.
start_daemon() {
  local name=$1 pidfile=$CLOUD_DIR/$1.pid
  shift
  setsid "$@" >>"$CLOUD_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

stop_daemon() {
  local pidfile=$CLOUD_DIR/$1.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null && info "stopped $1 (pid $pid)"
  rm -f "$pidfile"
}

daemon_running() { [[ -f $CLOUD_DIR/$1.pid ]] && kill -0 "$(cat "$CLOUD_DIR/$1.pid")" 2>/dev/null; }

# The metadata service, Lockbox and object storage (the binary) for the nodes.
ensure_cloud_standin() {
  [[ -x $ROOT/build/bingo ]] || die "no build/bingo to serve to the nodes" "run make bingo (make deploy does it first)"
  ensure_cloud_tls
  ensure_bridge_address "$CLOUD_ADDRESS"
  if ! daemon_running cloud-standin; then
    start_daemon cloud-standin node --import tsx "$ROOT/local-cloud/metadata-server.ts" "$CLOUD_ADDRESS" \
      "$CLOUD_DIR/cloud.json" "$ROOT/build/bingo" "$CLOUD_DIR/tls/lockbox.crt" "$CLOUD_DIR/tls/lockbox.key"
    local i
    for i in $(seq 1 50); do
      curl -s -o /dev/null -m 1 "http://$CLOUD_ADDRESS/" && break
      sleep 0.2
    done
    curl -s -o /dev/null -m 1 "http://$CLOUD_ADDRESS/" ||
      die "the cloud stand-in does not answer on $CLOUD_ADDRESS" "read $CLOUD_DIR/cloud-standin.log"
    info "cloud stand-in (metadata, Lockbox, object storage) on $CLOUD_ADDRESS"
  fi
  metadata_dnat -A
}

# The instance group's auto-healing (local-cloud/instance-group.ts), restarted so it
# reads the group's current settings.
start_group_controller() {
  stop_daemon group-controller >/dev/null
  mkdir -p "$HOLD_DIR"
  start_daemon group-controller node --import tsx "$ROOT/local-cloud/instance-group.ts" \
    "$CLOUD_DIR/cloud.json" "$HOLD_DIR" "$ROOT/scripts/local-nodes.sh"
  info "instance-group controller watches the app nodes (log: ${CLOUD_DIR#"$ROOT"/}/group-controller.log)"
}

# ---------------------------------------------------------------- nodes

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
          echo "            $(echo "$opts" | sed 's/-i [^ ]* //') -o ProxyCommand=\"ssh $opts -W %h:%p ansible@${NODE_IP[$JUMP_NODE]}\""
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
  local d
  for d in cloud-standin group-controller balancer; do
    printf '%-17s %s\n' "$d:" "$(daemon_running "$d" && echo "running (log: ${CLOUD_DIR#"$ROOT"/}/$d.log)" || echo "not running")"
  done
  printf '\nservice (balancer): http://localhost/ping -> %s\n' "$(curl -s -m 3 http://localhost/ping || echo 'no answer')"
}

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
      for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
  fi
  rm -rf "$STATE"
  info "done (the node image $NODE_IMAGE is kept as a build cache; 'docker rmi $NODE_IMAGE' removes it)"
}

case "${1:-}" in
  up) if [[ -n ${2:-} ]]; then node_up "$2"; else all_up; fi ;;
  down) [[ -n ${2:-} ]] || die "which node?" "make node-down NODE=app1 MODE=stop"; node_down "$2" "${3:-stop}" ;;
  standin)
    case ${2:-} in
      stop) stop_daemon cloud-standin; metadata_dnat -D ;;
      start) ensure_cloud_standin ;;
      *) die "usage: $0 standin stop|start" "stop takes the metadata, Lockbox and object-storage stand-in away" ;;
    esac
    ;;
  destroy) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh destroy app1"; destroy_node "$2"; info "$2 destroyed" ;;
  restart) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh restart app1"; require_node "$2"; restart_node "$2" ;;
  recreate) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh recreate app1"; recreate_node "$2" ;;
  state) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh state app1"; node_state "$2" ;;
  status) status ;;
  clean) clean ;;
  ssh) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh ssh app1"; require_node "$2"; node=$2; shift 2; ssh_cmd "$node" "$@" ;;
  *) die "usage: $0 up [NODE] | down NODE [stop|kill|pause|isolate] | destroy|recreate|restart|state NODE | standin stop|start | status | clean | ssh NODE [CMD]" "see make help" ;;
esac
