#!/usr/bin/env bash
# Make sure Debian's PostgreSQL server binaries are on this machine (the
# stand-in tests start throwaway clusters with them) and print their folder.
# With the argument "pgbouncer", Debian's pgbouncer is made sure of as well.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

packages=(postgresql)
[[ ${1:-} == pgbouncer ]] && packages+=(pgbouncer)
apt_ensure "${packages[@]}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -x $bindir/initdb && -x $bindir/pg_ctl ]] || die "no initdb/pg_ctl under /usr/lib/postgresql/*/bin" "install Debian's postgresql package"
echo "$bindir"
