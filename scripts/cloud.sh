#!/usr/bin/env bash
# The cloud side of make deploy / make clean / make diff:
#   scripts/cloud.sh deploy    synth, then terraform apply every stack in dependency order
#                              (network, db, app, frontend; the frontend stack runs Ansible)
#   scripts/cloud.sh destroy   terraform destroy every stack in reverse order
#   scripts/cloud.sh diff      the offline review diff (scripts/review-diff.sh), then synth and
#                              terraform plan of every stack (what `cdktf diff` shows); stacks
#                              whose upstream stacks are not applied yet are planned against
#                              stand-in outputs. Without credentials: the offline diff only.
# Needs Yandex Cloud credentials in the environment (YC_TOKEN, YC_IAM_TOKEN or
# YC_SERVICE_ACCOUNT_KEY_FILE) and settings.yaml (or BINGO_SETTINGS=FILE).
# OFFLINE_DIFF=0 skips the offline diff (when only the plans are wanted).
# CDKTF_CLI=1 runs `cdktf deploy|destroy|diff` (cdktf-cli 0.21.0, fetched by npx on demand) instead.
# CDKTF_OUTDIR=DIR uses another folder than cdktf.out/ for the synthesized stacks.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

action="${1:-}"
case "$action" in
  deploy | destroy | diff) ;;
  *) die "usage: scripts/cloud.sh deploy|destroy|diff" "deploy creates or updates the cloud installation, destroy removes it, diff shows the plan" ;;
esac

if [[ $action == diff ]] && ! have_cloud_credentials; then
  "$ROOT/scripts/review-diff.sh"
  info "no Yandex Cloud credentials: this is the offline diff; with YC_TOKEN (or YC_SERVICE_ACCOUNT_KEY_FILE) make diff also plans every stack"
  exit 0
fi
have_cloud_credentials || die "no Yandex Cloud credentials in the environment" \
  "export YC_TOKEN=\$(yc iam create-token) (or YC_SERVICE_ACCOUNT_KEY_FILE=key.json); without them make deploy uses local nodes"
settings_file="${BINGO_SETTINGS:-$ROOT/settings.yaml}"
[[ -f $settings_file ]] || die "no $settings_file" "cp settings.example.yaml settings.yaml and fill in folder_id, the SSH key, student_email and domain"
if [[ $action == diff && ${OFFLINE_DIFF:-1} != 0 ]]; then
  # The offline diff first; the plans that follow do not depend on it.
  "$ROOT/scripts/review-diff.sh" || info "the offline diff could not be made (see above); the plans follow"
fi
command -v terraform >/dev/null || die "terraform is not installed" "install Terraform >= 1.5 from https://developer.hashicorp.com/terraform/install"
if [[ $action == deploy ]]; then
  command -v ansible-playbook >/dev/null || apt_ensure ansible
  # A clean clone has no node_modules: synth needs cdktf and the binding generator.
  "$ROOT/scripts/npm-deps.sh"
fi

# Terraform state (every resource's attributes, the database password read from Lockbox),
# the inventory and the synthesized stacks are readable by their owner only.
umask 077
mkdir -p "$ROOT/.local"
chmod go-rwx "$ROOT/.local"

# Providers come from Yandex's Terraform mirror unless the user has a CLI config of their own.
if [[ -z ${TF_CLI_CONFIG_FILE:-} || ! -f ${TF_CLI_CONFIG_FILE:-} ]]; then
  export TF_CLI_CONFIG_FILE="$ROOT/.local/terraformrc"
  cat >"$TF_CLI_CONFIG_FILE" <<'CFG'
provider_installation {
  network_mirror {
    url     = "https://terraform-mirror.yandexcloud.net/"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

export CDKTF_OUTDIR="${CDKTF_OUTDIR:-$ROOT/cdktf.out}"
if [[ $action != destroy || ! -f $CDKTF_OUTDIR/manifest.json ]]; then
  "$ROOT/scripts/synth.sh"
fi

# Stacks in dependency order, from cdktf's manifest.
mapfile -t stacks < <(node --import tsx "$ROOT/scripts/lib/stack-order.ts" "$CDKTF_OUTDIR/manifest.json")
[[ ${#stacks[@]} -gt 0 ]] || die "$CDKTF_OUTDIR/manifest.json lists no stacks" "run make synth and read its errors"

if [[ ${CDKTF_CLI:-} == 1 ]]; then
  step "cdktf $action ${stacks[*]} (cdktf-cli 0.21.0 through npx)"
  if [[ $action == diff ]]; then
    for s in "${stacks[@]}"; do npx --yes cdktf-cli@0.21.0 diff --skip-synth --output "$CDKTF_OUTDIR" "$s"; done
    exit 0
  fi
  exec npx --yes cdktf-cli@0.21.0 "$action" --skip-synth --output "$CDKTF_OUTDIR" --auto-approve "${stacks[@]}"
fi

tf() { # tf STACK ARGS...: terraform in the stack's synthesized folder
  local dir="$CDKTF_OUTDIR/stacks/$1"
  shift
  terraform -chdir="$dir" "$@"
}

start=$(date +%s)
case "$action" in
  deploy)
    for s in "${stacks[@]}"; do
      step "Stack $s: terraform apply"
      tf "$s" init -input=false -upgrade=false >/dev/null || die "terraform init failed for stack $s" "check the network and the provider mirror, then run make deploy again"
      tf "$s" apply -input=false -auto-approve || die "terraform apply failed for stack $s" "fix the error above and run make deploy again (finished stacks are left as they are)"
    done
    step "Deployed in $(( $(date +%s) - start )) s"
    tf frontend output
    ;;
  diff)
    unplanned=()
    for s in "${stacks[@]}"; do
      # A stack reads the outputs of the stacks before it from their state; before their
      # first apply there is none, so it is planned as a copy that reads stand-in outputs.
      dir="$CDKTF_OUTDIR/stacks/$s"
      copy="$CDKTF_OUTDIR/plan-stand-ins/$s"
      rm -rf "$copy"
      mapfile -t unapplied < <(node --import tsx "$ROOT/scripts/lib/remote-state-stand-ins.ts" "$dir" "$copy")
      if [[ ${#unapplied[@]} -gt 0 ]]; then
        step "Stack $s: terraform plan (not applied yet: ${unapplied[*]}; their outputs read \"(known once stack ... is applied)\")"
        dir="$copy"
      else
        step "Stack $s: terraform plan"
      fi
      terraform -chdir="$dir" init -input=false >/dev/null || die "terraform init failed for stack $s" "check the network and the provider mirror"
      terraform -chdir="$dir" plan -input=false -lock=false || unplanned+=("$s")
    done
    [[ ${#unplanned[@]} -eq 0 ]] || die "terraform plan failed for: ${unplanned[*]}" "the errors above say why; fix them and run make diff again"
    ;;
  destroy)
    for ((i = ${#stacks[@]} - 1; i >= 0; i--)); do
      s="${stacks[$i]}"
      step "Stack $s: terraform destroy"
      tf "$s" init -input=false >/dev/null || die "terraform init failed for stack $s" "check the network and the provider mirror"
      tf "$s" destroy -input=false -auto-approve || die "terraform destroy failed for stack $s" "run make clean again; resources left behind are listed above"
    done
    # The inventory the frontend stack's Ansible run wrote (the tests point this elsewhere).
    rm -f "${BINGO_CLOUD_INVENTORY:-$ROOT/ansible/inventories/cloud/hosts.yml}"
    # The destroyed instances' host keys: a new deploy's instances have new ones.
    rm -rf "${BINGO_KNOWN_HOSTS_DIR:-$ROOT/.local/ssh/known_hosts.d}" "$ROOT/.local/ssh/cloud_known_hosts"
    step "Cloud installation removed in $(( $(date +%s) - start )) s"
    ;;
esac
