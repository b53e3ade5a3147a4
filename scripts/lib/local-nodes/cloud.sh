# shellcheck shell=bash
# The cloud's route: the local "apply" of the synthesized stacks, the Lockbox
# stand-in's TLS and the daemons of the cloud stand-ins (metadata, Lockbox and object
# storage; the instance group's controller; the frontends' balancer).
# Sourced by scripts/local-nodes.sh.

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
    # shellcheck disable=SC2034 # i only counts the attempts
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

ensure_balancer() {
  iptables -t nat -N "$BALANCER_CHAIN" 2>/dev/null || true
  sysctl -qw "net.ipv4.conf.$NET_BRIDGE.route_localnet=1"
  balancer_jumps -A
  stop_daemon balancer >/dev/null
  start_daemon balancer node --import tsx "$ROOT/local-cloud/balancer.ts" "$CLOUD_DIR/cloud.json" "$BALANCER_CHAIN"
  info "frontends' balancer on $BALANCER_ADDRESS and $FRONTEND_BIND:80,443 (log: ${CLOUD_DIR#"$ROOT"/}/balancer.log)"
}
