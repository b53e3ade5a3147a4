#!/usr/bin/env bash
# make clean: tear down the cloud stacks (with credentials) or the local nodes.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
if have_cloud_credentials; then
  exec "$ROOT/scripts/cloud.sh" destroy
fi
exec "$ROOT/scripts/local-nodes.sh" clean
