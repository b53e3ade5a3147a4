# shellcheck shell=bash
# Host set-up: packages, the kernel's features, dockerd and the host's Debian mirror.
# Sourced by scripts/local-nodes.sh.

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
