#!/usr/bin/env bash
# The alertmanager role's configuration, checked on this host without touching any node:
#   amtool check-config        the route and receivers rendered with the role's defaults (and an
#                              extra webhook URL), as the role validates them on the frontend
#   amtool config routes test  the spec's alerts reach the bingo-alert-log receiver
#   delivery                   a real Alertmanager (on loopback, in a temporary folder) sends an
#                              alert to the role's receiver, bingo-alert-log, which logs it as
#                              one line, firing and then resolved; both are stopped afterwards
# Extra arguments are passed to ansible (e.g. -e alertmanager_group_by='[alertname]').
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

apt_ensure ansible-core curl
role="$ROOT/ansible/roles/alertmanager"
work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# amtool and Alertmanager come with Debian's prometheus-alertmanager package. Installing it
# would also start an Alertmanager on this host (on every address, and its cluster port),
# so unless amtool is already there, the package is unpacked into .local/.
amtool=$(command -v amtool || true)
alertmanager=$(command -v prometheus-alertmanager || true)
if [[ -z $amtool || -z $alertmanager ]]; then
  tools="$ROOT/.local/tools/alertmanager"
  amtool="$tools/usr/bin/amtool"
  alertmanager="$tools/usr/bin/prometheus-alertmanager"
  if [[ ! -x $amtool || ! -x $alertmanager ]]; then
    unpack_debian_package prometheus-alertmanager "$tools" "$work"
  fi
fi
info "$("$amtool" --version 2>&1 | head -n 1)"

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The role's alertmanager.yml, rendered with its defaults and the given extra variables.
render() {
  local dest=$1
  shift
  render_role_template "$role" alertmanager.yml.j2 "$dest" "$@"
}

step "amtool check-config (the role's defaults and an extra webhook URL)"
render "$work/alertmanager.yml" -e '{"alertmanager_webhook_urls": ["https://hooks.example.org/bingo"]}' "$@"
"$amtool" check-config "$work/alertmanager.yml" ||
  die "amtool rejects the Alertmanager configuration" "fix $role/templates/alertmanager.yml.j2"

step "amtool config routes test (the spec's alerts reach bingo-alert-log)"
# alertname and instance (none: a cluster-wide alert) of the alerts to route.
for alert in PatroniMemberDown/db1 PatroniNoLeader/ PatroniReplicationLag/db2 EtcdMemberDown/db3 EtcdNoLeader/db1 NodeDown/app2; do
  labels=("alertname=${alert%/*}")
  [[ -n ${alert#*/} ]] && labels+=("instance=${alert#*/}")
  # (amtool warns on stderr that --config.file overrides its default Alertmanager URL.)
  got=$("$amtool" config routes test --config.file="$work/alertmanager.yml" "${labels[@]}" 2>"$work/amtool.err") ||
    { cat "$work/amtool.err" >&2; die "amtool cannot route ${labels[*]}" "fix the route in $role/templates/alertmanager.yml.j2"; }
  [[ $got == bingo-alert-log ]] || die "${labels[*]} goes to '$got', not bingo-alert-log" "fix the route in $role/templates/alertmanager.yml.j2"
  info "${labels[*]} -> $got"
done

step "Delivery: Alertmanager -> bingo-alert-log, firing then resolved (loopback, short timings)"
# Debian's Alertmanager reads its notification templates from /usr/share/prometheus/alertmanager.
# Without the package installed, it runs in a private mount namespace where the unpacked
# package's /usr/share lies over this host's (nothing changes outside that namespace).
run_alertmanager=()
if [[ ! -f /usr/share/prometheus/alertmanager/default.tmpl ]]; then
  share="$(dirname "$(dirname "$alertmanager")")/share"
  ns=(unshare --mount --propagation private)
  [[ $(id -u) -eq 0 ]] || ns=(unshare --mount --map-root-user --propagation private)
  if "${ns[@]}" sh -c "mount -t overlay overlay -o lowerdir=$share:/usr/share /usr/share" 2>/dev/null; then
    run_alertmanager=("${ns[@]}" sh -c "mount -t overlay overlay -o lowerdir=$share:/usr/share /usr/share && exec \"\$0\" \"\$@\"")
  else
    info "skipped: Alertmanager needs /usr/share/prometheus/alertmanager (install prometheus-alertmanager, or allow unshare --mount)"
    info "the Alertmanager configuration passes"
    exit 0
  fi
fi
log_port=$(free_port)
am_port=$(free_port)
render "$work/delivery.yml" -e "alertmanager_alert_log_port=$log_port" -e alertmanager_group_wait=1s -e alertmanager_group_interval=2s "$@"
python3 "$role/files/bingo-alert-log" --listen "127.0.0.1:$log_port" --log "$work/alerts.log" 2>"$work/alert-log.err" &
pids+=($!)
"${run_alertmanager[@]}" "$alertmanager" --config.file="$work/delivery.yml" --storage.path="$work/data" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$am_port/-/ready" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$log_port/-/healthy" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$am_port/-/ready" >/dev/null || { cat "$work/alertmanager.log" >&2; die "Alertmanager did not start" "see its log above"; }

# An alert as Prometheus sends it (POST /api/v2/alerts), then the same alert ended.
post_alert() {
  local ends=$1
  curl -fsS -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$am_port/api/v2/alerts" --data @- <<JSON
[{"labels": {"alertname": "PatroniMemberDown", "instance": "db1", "job": "patroni", "severity": "warning"},
  "annotations": {"summary": "Patroni on db1 does not answer"},
  "startsAt": "$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)"${ends:+, \"endsAt\": \"$ends\"}}]
JSON
}
# Waits until the log holds a notification with this status for the alert; prints its line.
wait_logged() {
  local status=$1
  for _ in $(seq 1 100); do
    if [[ -f $work/alerts.log ]]; then
      line=$(python3 - "$work/alerts.log" "$status" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    doc = json.loads(line)
    if doc["status"] == sys.argv[2] and any(a["labels"]["alertname"] == "PatroniMemberDown" for a in doc["alerts"]):
        print(line.strip())
        break
PY
)
      [[ -n $line ]] && { printf '%s\n' "$line"; return 0; }
    fi
    sleep 0.2
  done
  return 1
}
post_alert ""
firing=$(wait_logged firing) || { cat "$work/alertmanager.log" "$work/alert-log.err" >&2; die "no firing notification reached the alert log" "see the logs above"; }
info "firing:   ${firing:0:160}..."
post_alert "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
resolved=$(wait_logged resolved) || { cat "$work/alertmanager.log" "$work/alert-log.err" >&2; die "no resolved notification reached the alert log" "see the logs above"; }
info "resolved: ${resolved:0:160}..."
lines=$(wc -l <"$work/alerts.log")
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/alerts.log" ||
  die "the alert log holds a line that is not one JSON document" "fix $role/files/bingo-alert-log"
info "the alert log holds $lines notification(s), one JSON document per line"
info "the Alertmanager configuration and its delivery to the alert log pass"
