# shellcheck shell=bash
# The nodes' Docker network and this host's firewall around it: the probe blackhole,
# the host chain, the link-local drop, the metadata redirect and the balancer's NAT
# jumps, and their removal. Sourced by scripts/local-nodes.sh.

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

# The redirect of the nodes' metadata requests to the stand-in: in place while it runs.
metadata_dnat() {
  local op=$1 rule=(PREROUTING -i "$NET_BRIDGE" -s "$NET_SUBNET" -d "$METADATA_ADDRESS" -p tcp --dport 80
    -j DNAT --to-destination "$CLOUD_ADDRESS:80")
  case $op in
    -A) iptables -t nat -C "${rule[@]}" 2>/dev/null || iptables -t nat -I "${rule[@]}" ;;
    -D) iptables -t nat -D "${rule[@]}" 2>/dev/null || true ;;
  esac
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
