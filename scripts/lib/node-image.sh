#!/usr/bin/env bash
# Build the local node image: a minimal Debian made with debootstrap, booting systemd.
#   node-image.sh IMAGE SUITE MIRROR_URL PACKAGES APT_PACKAGES RECIPE_HASH MIRROR_HOST:ADDRESS
# PACKAGES go into debootstrap; APT_PACKAGES (space-separated) are installed with apt
# in a container of the bootstrapped system, as debootstrap cannot configure some.
set -euo pipefail
source "$(dirname "$0")/common.sh"
image=$1 suite=$2 mirror=$3 packages=$4 apt_packages=$5 recipe=$6 mirror_addhost=$7

work=$(mktemp -d /var/tmp/bingo-node-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
log=$work/debootstrap.log

info "debootstrap $suite from $mirror"
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "debootstrap of Debian $suite failed" "check that the host reaches $mirror (apt-get update works), then retry"
fi

# Behave like a freshly booted VM inside a container.
ln -sf /dev/null "$rootfs/etc/systemd/system/systemd-modules-load.service"
: >"$rootfs/etc/machine-id"
# Each node makes its own SSH host keys on first boot, as cloud images do.
rm -f "$rootfs"/etc/ssh/ssh_host_*
cat >"$rootfs/etc/systemd/system/ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys on first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/ssh-hostkeys.service "$rootfs/etc/systemd/system/multi-user.target.wants/ssh-hostkeys.service"
# cloud-init reads the NoCloud seed that local-nodes.sh puts into each node before its
# first boot, and nothing else: no datasource on the network, Docker's network as it is,
# and the mirror the image was made with (a cloud image brings its own).
mkdir -p "$rootfs/etc/cloud/cloud.cfg.d"
cat >"$rootfs/etc/cloud/cloud.cfg.d/90-bingo-local.cfg" <<'CFG'
datasource_list: [NoCloud, None]
network: {config: disabled}
apt: {preserve_sources_list: true}
CFG
echo "deb $mirror $suite main" >"$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

info "importing into Docker"
tar -C "$rootfs" -c . | docker import - "$image-bootstrap" >/dev/null
info "installing $apt_packages"
builder=bingo-node-image-build
docker rm -f "$builder" >/dev/null 2>&1 || true
if ! docker run --name "$builder" --add-host "$mirror_addhost" "$image-bootstrap" sh -c \
  "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $apt_packages && apt-get clean && rm -rf /var/lib/apt/lists/*" \
  >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  docker rm -f "$builder" >/dev/null 2>&1 || true
  die "installing $apt_packages into the node image failed" "check that the host reaches $mirror, then retry"
fi
docker commit --change 'CMD ["/sbin/init"]' --change "LABEL bingo.recipe=$recipe" "$builder" "$image" >/dev/null
docker rm -f "$builder" >/dev/null
docker rmi "$image-bootstrap" >/dev/null
info "image $image ready ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1 / 1e6}'))"
