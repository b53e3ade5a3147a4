#!/usr/bin/env bash
# Build the local node image: a minimal Debian made with debootstrap, booting systemd.
#   node-image.sh IMAGE SUITE MIRROR_URL PACKAGES RECIPE_HASH
set -euo pipefail
source "$(dirname "$0")/common.sh"
image=$1 suite=$2 mirror=$3 packages=$4 recipe=$5

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
echo "deb $mirror $suite main" >"$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

info "importing into Docker as $image"
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["/sbin/init"]' \
  --change "LABEL bingo.recipe=$recipe" \
  - "$image" >/dev/null
info "image $image ready ($(du -sh "$rootfs" | cut -f1))"
