#!/usr/bin/env bash
# make deploy: the cloud when Yandex credentials are present, otherwise local nodes.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
if have_cloud_credentials; then
  exec "$ROOT/scripts/cloud.sh" deploy
fi
step "No Yandex Cloud credentials (YC_TOKEN / YC_SERVICE_ACCOUNT_KEY_FILE): deploying onto local nodes"
exec "$ROOT/scripts/local-deploy.sh"
