#!/usr/bin/env bash
# The stacks keep their Terraform state in local files (settings state_dir, by default
# .local/tfstate/). A CI runner forgets them after each job, so the pipeline keeps them
# in a private Yandex Object Storage bucket between runs (they hold secrets, e.g. the
# database password):
#   scripts/ci-tfstate.sh pull [--required]   bucket -> .local/tfstate/ (before plan or deploy)
#   scripts/ci-tfstate.sh push                .local/tfstate/ -> bucket (after deploy, even a failed one)
# Needs TF_STATE_BUCKET and the bucket's static key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
# and the aws CLI. Without TF_STATE_BUCKET, pull leaves the state empty (a plan then shows every
# resource as new) unless --required, which refuses: a deploy without it would create everything again.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

action="${1:-}"
required="${2:-}"
state_dir="${TF_STATE_DIR:-$ROOT/.local/tfstate}"
[[ $action == pull || $action == push ]] || die "usage: scripts/ci-tfstate.sh pull [--required] | push" "pull before a plan or deploy, push after a deploy"

if [[ -z ${TF_STATE_BUCKET:-} ]]; then
  [[ $required == --required ]] && die "TF_STATE_BUCKET is not set: the stacks' state would be lost after this job" \
    "create a private Object Storage bucket, set the repository variable TF_STATE_BUCKET and the secrets TF_STATE_ACCESS_KEY_ID / TF_STATE_SECRET_ACCESS_KEY"
  info "no TF_STATE_BUCKET: no stored state (a plan shows every resource as new)"
  exit 0
fi
command -v aws >/dev/null || die "the aws CLI is not installed" "install it (GitHub's runners have it), it speaks the Object Storage's S3 API"
s3=(aws s3 --endpoint-url "${TF_STATE_ENDPOINT:-https://storage.yandexcloud.net}" --region ru-central1 --only-show-errors)
url="s3://$TF_STATE_BUCKET/tfstate/"
mkdir -p "$state_dir"
if [[ $action == pull ]]; then
  step "Stacks' state: $url -> ${state_dir#"$ROOT"/}/"
  "${s3[@]}" sync "$url" "$state_dir/" || die "could not read $url" "check TF_STATE_BUCKET and the bucket's static key"
else
  step "Stacks' state: ${state_dir#"$ROOT"/}/ -> $url"
  "${s3[@]}" sync "$state_dir/" "$url" --exclude '*' --include '*.tfstate' || die "could not write $url" "the state is still in ${state_dir}; copy it to the bucket by hand before the next deploy"
fi
