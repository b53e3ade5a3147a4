# shellcheck shell=bash
# Where the local installation keeps its state: sourced by scripts/local-nodes.sh.
# shellcheck disable=SC2034 # the other files sourced with this one use them

STATE="$ROOT/.local"
SSH_DIR="$STATE/ssh"
INVENTORY="$ROOT/ansible/inventories/local/hosts.yml"
GROUP_VARS="$ROOT/ansible/inventories/local/group_vars/all.yml"
DOCKERD_PIDFILE="$STATE/dockerd.pid"
# What the local "apply" makes of the synthesized stacks (local-cloud/apply.ts).
CLOUD_DIR="$STATE/cloud"
SYNTH_DIR="$STATE/cdktf.out"
HOLD_DIR="$CLOUD_DIR/hold"
