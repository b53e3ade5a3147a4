#!/usr/bin/env bash
# The Prometheus rules of the bingo installation: render the role's rule template with its
# defaults (as the role does on the frontend), then
#   promtool check rules   syntax, PromQL, templates of annotations
#   promtool test rules    the unit tests in ansible/roles/prometheus/tests/ (alerts fire and
#                          stay quiet where the service levels say so)
#   dashboards/*.json      every panel query parses as PromQL and every recorded series it
#                          reads (level:metric:operations) is one the rules define
# Extra arguments are passed to ansible (e.g. -e prometheus_node_down_for=15s).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

apt_ensure ansible-core
role="$ROOT/ansible/roles/prometheus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# promtool comes with Debian's prometheus package. Installing that package would also start
# a Prometheus server on this host (and take the port 9090 the local frontend is forwarded
# to), so unless promtool is already there, it is unpacked from the package into .local/.
promtool=$(command -v promtool || true)
if [[ -z $promtool ]]; then
  tools="$ROOT/.local/tools/prometheus"
  promtool="$tools/usr/bin/promtool"
  if [[ ! -x $promtool ]]; then
    unpack_debian_package prometheus "$tools" "$work"
  fi
fi

step "Rendering the rule template with the role's defaults"
render_role_template "$role" bingo.rules.yml.j2 "$work/bingo.rules.yml" "$@"

step "promtool check rules"
"$promtool" check rules "$work/bingo.rules.yml" ||
  die "promtool rejects the rules" "fix $role/templates/bingo.rules.yml.j2 (rendered copy: run with bash -x to keep it)"

step "promtool test rules"
cp "$role"/tests/*.test.yml "$work/"
(cd "$work" && "$promtool" test rules ./*.test.yml) ||
  die "a rule unit test fails" "compare the expected alerts in $role/tests/ with the rules"
step "The dashboards' queries"
python3 - "$ROOT/dashboards" "$work/bingo.rules.yml" "$work/dashboards.rules.yml" <<'PY' ||
import json, pathlib, re, sys
dashboards, rules, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text(), sys.argv[3]
recorded = set(re.findall(r"^\s*- record: (\S+)", rules, re.M))
grafana_vars = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m"}
exprs, missing = [], []
def walk(panels, name):
    for panel in panels:
        for target in panel.get("targets", []):
            expr = target.get("expr")
            if not expr:
                continue
            for var, value in grafana_vars.items():
                expr = expr.replace(var, value)
            exprs.append(expr)
            for series in re.findall(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b", expr):
                if series not in recorded:
                    missing.append(f"{name} / {panel.get('title')}: {series}")
        walk(panel.get("panels", []), name)
for path in sorted(dashboards.glob("*.json")):
    walk(json.loads(path.read_text())["panels"], path.name)
with open(out, "w") as f:
    f.write("groups:\n  - name: dashboards\n    rules:\n")
    for i, expr in enumerate(exprs):
        f.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(expr)}\n")
if missing:
    sys.exit("recorded series the rules do not define:\n  " + "\n  ".join(missing))
print(f"{len(exprs)} queries")
PY
  die "a dashboard reads a series no rule records" "add the rule to $role/templates/bingo.rules.yml.j2 or fix the panel"
"$promtool" check rules "$work/dashboards.rules.yml" >/dev/null ||
  die "a dashboard query is not valid PromQL" "promtool check rules $work/dashboards.rules.yml shows which (run with bash -x to keep it)"
info "rules, their unit tests and the dashboards' queries pass"
