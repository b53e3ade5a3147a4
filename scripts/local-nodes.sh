#!/usr/bin/env bash
# Local nodes: five Docker containers running systemd that stand in for the cloud VMs.
#
#   local-nodes.sh up                 host packages, dockerd, node image, network, the stacks
#                                     synthesized for the local network and "applied" here
#                                     (user-data, the cloud stand-in), nodes booting from
#                                     their user-data, inventory, the instance-group controller
#   local-nodes.sh up NODE            bring a node broken with `down` back and wait for SSH
#   local-nodes.sh down NODE MODE     break a node: stop | kill | pause | isolate (cut its network)
#   local-nodes.sh recreate NODE      what the instance group does to a deleted instance: a blank
#                                     disk from the image, the same name and user-data
#   local-nodes.sh restart NODE       what it does to a stopped or unhealthy one: restart it
#   local-nodes.sh destroy NODE       delete an app node's VM and disk (the group re-creates it)
#   local-nodes.sh state NODE         running | paused | exited | absent
#   local-nodes.sh standin stop|start take the cloud stand-in (metadata, Lockbox) away, or back
#   local-nodes.sh status             nodes, their systemd state, and what answers through the balancer
#   local-nodes.sh clean              remove nodes, volumes, network, keys, inventory, the cloud
#                                     stand-in and the group controller; stop our dockerd
#   local-nodes.sh ssh NODE [CMD...]  a shell on a node, the way Ansible reaches it
#
# Everything the nodes look like is set in scripts/lib/local-nodes.conf.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
source "$ROOT/scripts/lib/local-nodes.conf"
# Each concern in a file of its own, all sourced into this one shell.
# shellcheck source=scripts/lib/local-nodes/paths.sh
source "$ROOT/scripts/lib/local-nodes/paths.sh"
# shellcheck source=scripts/lib/local-nodes/host.sh
source "$ROOT/scripts/lib/local-nodes/host.sh"
# shellcheck source=scripts/lib/local-nodes/image.sh
source "$ROOT/scripts/lib/local-nodes/image.sh"
# shellcheck source=scripts/lib/local-nodes/network.sh
source "$ROOT/scripts/lib/local-nodes/network.sh"
# shellcheck source=scripts/lib/local-nodes/cloud.sh
source "$ROOT/scripts/lib/local-nodes/cloud.sh"
# shellcheck source=scripts/lib/local-nodes/nodes.sh
source "$ROOT/scripts/lib/local-nodes/nodes.sh"
# shellcheck source=scripts/lib/local-nodes/inventory.sh
source "$ROOT/scripts/lib/local-nodes/inventory.sh"
# shellcheck source=scripts/lib/local-nodes/up.sh
source "$ROOT/scripts/lib/local-nodes/up.sh"
# shellcheck source=scripts/lib/local-nodes/faults.sh
source "$ROOT/scripts/lib/local-nodes/faults.sh"
# shellcheck source=scripts/lib/local-nodes/status.sh
source "$ROOT/scripts/lib/local-nodes/status.sh"
# shellcheck source=scripts/lib/local-nodes/clean.sh
source "$ROOT/scripts/lib/local-nodes/clean.sh"

case "${1:-}" in
  up) if [[ -n ${2:-} ]]; then node_up "$2"; else all_up; fi ;;
  down) [[ -n ${2:-} ]] || die "which node?" "make node-down NODE=app1 MODE=stop"; node_down "$2" "${3:-stop}" ;;
  standin)
    case ${2:-} in
      stop) stop_daemon cloud-standin; metadata_dnat -D ;;
      start) ensure_cloud_standin ;;
      *) die "usage: $0 standin stop|start" "stop takes the metadata, Lockbox and object-storage stand-in away" ;;
    esac
    ;;
  destroy) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh destroy app1"; destroy_node "$2"; info "$2 destroyed" ;;
  restart) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh restart app1"; require_node "$2"; restart_node "$2" ;;
  recreate) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh recreate app1"; recreate_node "$2" ;;
  state) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh state app1"; node_state "$2" ;;
  status) status ;;
  clean) clean ;;
  ssh) [[ -n ${2:-} ]] || die "which node?" "scripts/local-nodes.sh ssh app1"; require_node "$2"; node=$2; shift 2; ssh_cmd "$node" "$@" ;;
  *) die "usage: $0 up [NODE] | down NODE [stop|kill|pause|isolate] | destroy|recreate|restart|state NODE | standin stop|start | status | clean | ssh NODE [CMD]" "see make help" ;;
esac
