#!/usr/bin/env bash
# Install the pinned npm dependencies once, and again only when the lock file changes.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.lock-stamp
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  echo "    npm dependencies up to date (package-lock.json unchanged)"
  exit 0
fi
echo "==> npm ci (pinned dependencies from package-lock.json)"
export CHECKPOINT_DISABLE=1
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
