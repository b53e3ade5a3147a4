# Shared shell helpers: sourced by the scripts in scripts/, never run alone.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CHECKPOINT_DISABLE=1

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  # die "what went wrong" "what to do next"
  printf '\033[1;31merror:\033[0m %s\n' "$1" >&2
  [[ $# -gt 1 ]] && printf '       %s\n' "$2" >&2
  exit 1
}

# True when Yandex Cloud credentials are present in the environment.
have_cloud_credentials() {
  [[ -n "${YC_TOKEN:-}" || -n "${YC_IAM_TOKEN:-}" || -n "${YC_SERVICE_ACCOUNT_KEY_FILE:-}" ]]
}

# Install Debian packages that are missing, in one apt run.
apt_ensure() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  step "Installing host packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    die "installing ${missing[*]} needs root" "run as root, or install them with: sudo apt-get install ${missing[*]}"
  fi
  local log
  log="$(mktemp)"
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "apt could not install ${missing[*]} (full log: $log)" "check the apt sources and network, then run the command again"
  fi
  rm -f "$log"
}

# The environment the frontend stack gives the controller's run (the database password and
# the cluster's secret read from Lockbox, the expected bingo port, the playbooks), as the
# local apply of the stacks resolved it for the local nodes: exported for
# scripts/controller-run.sh.
load_local_controller_env() {
  local env_file="$ROOT/.local/cloud/controller.env"
  [[ -f $env_file ]] || die "no $env_file" "deploy the local nodes first (make deploy)"
  set -a
  # shellcheck source=/dev/null
  source "$env_file"
  set +a
}

# Unpacks Debian's PACKAGE into DEST (a folder under .local/tools) without installing it:
# some packages would start a server on this host when installed. WORK holds the download.
unpack_debian_package() {
  local package=$1 dest=$2 work=$3
  step "Unpacking Debian's $package package into ${dest#"$ROOT"/}"
  (cd "$work" && { apt-get download -q "$package" || { apt-get update -q && apt-get download -q "$package"; }; }) \
    >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt could not download the $package package" "check the apt sources"; }
  mkdir -p "$dest"
  dpkg -x "$work/${package}"_*.deb "$dest"
}

# Renders ROLE_DIR/templates/TEMPLATE into DEST with the role's defaults, as the role does on
# a node; extra arguments go to ansible (-e ...). Dies naming the template when it fails.
render_role_template() {
  local role=$1 template=$2 dest=$3 log
  shift 3
  log="$(mktemp)"
  ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg" ANSIBLE_ROLES_PATH="$ROOT/ansible/roles" \
    ansible localhost -i localhost, -c local -o \
    -e "@$role/defaults/main.yml" "$@" \
    -m ansible.builtin.template -a "src=$role/templates/$template dest=$dest mode=0644" \
    >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "the template $template does not render" "fix $role/templates/$template"; }
  rm -f "$log"
}
