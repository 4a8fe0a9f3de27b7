#!/usr/bin/env bash
# MyMedic installer for Debian/Ubuntu (x86_64, arm64). Run as root from a release folder
# (mymedic, litestream, install.sh, mymedic.service.in, litestream.yml.in, SHA256SUMS) or
# from a source checkout after `bun run build`. No network needed. `install.sh --help`.
#
# First run installs; every later run upgrades (data and config kept, the previous binary
# kept for --rollback, migrations applied, service restarted). See install/README.md.
# "A && B || die": die only matters when A or B fails, which is what is meant.
# shellcheck disable=SC2015
set -euo pipefail

readonly SERVICE=mymedic
readonly MIN_SQLITE=3.51.3

usage() {
  cat <<'EOF'
Usage: install.sh [options]            install MyMedic, or upgrade it when already installed
       install.sh --rollback [--root DIR]   go back to the binary before the last upgrade
       install.sh --uninstall [--root DIR]  remove the service and binaries; keep the data

Run as root on Debian or Ubuntu (x86_64 or arm64). Works offline from the release folder.

Options:
  --binary FILE        the mymedic executable (default: ./mymedic beside this script,
                       then dist/mymedic of the checkout this script is in)
  --litestream FILE    the Litestream executable (default: ./litestream beside this script,
                       then dist/litestream, then node_modules' @flydotio/litestream build)
  --port P             port to serve on (first install: 8080; later: unchanged)
  --host H             address to listen on (first install: 0.0.0.0 = the whole LAN)
  --replica-dir DIR    replicate the database with Litestream into DIR (a NAS mount or a
                       USB disk, e.g. /mnt/backup/mymedic)
  --replica-sftp URL   ... to sftp://USER@HOST[:PORT]/PATH; give --sftp-key FILE (a private
                       key, copied to /etc/mymedic/sftp_key) or MYMEDIC_SFTP_PASSWORD in
                       the environment
  --replica-s3 URL     ... to s3://BUCKET/PATH with LITESTREAM_ACCESS_KEY_ID and
                       LITESTREAM_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and
                       AWS_SECRET_ACCESS_KEY) in the environment; for S3-compatible storage
                       add --s3-endpoint URL (and --s3-region REGION)
  --no-replica         stop replicating (the Litestream config is kept as litestream.yml.off)
  --rollback           swap the previous binaries (mymedic.previous, litestream.previous)
                       back in and restart
  --uninstall          stop and remove the service and binaries; /var/lib/mymedic (the
                       data) and /etc/mymedic (config, secrets) stay
  --root DIR           install under DIR instead of / (for tests and image building):
                       every path is prefixed and systemctl is not run
  -h, --help           show this help

Without a --replica-* flag a re-run keeps the replica configured before (if any).
Files: /usr/local/bin/mymedic, /usr/local/bin/litestream, /var/lib/mymedic (data),
/etc/mymedic/{config.json,mymedic.env,litestream.yml}, /etc/systemd/system/mymedic.service.
Exit codes: 0 done, 1 failed (the message says why), 2 wrong usage.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'install.sh: %s\n\n' "$*" >&2
  usage >&2
  exit 2
}

# ---------------------------------------------------------------- arguments
ROOT="" BINARY="" LITESTREAM="" PORT="" HOST="" ACTION=install
REPLICA_KIND="" REPLICA_URL="" SFTP_KEY="" S3_ENDPOINT="" S3_REGION="" NO_REPLICA=0

parse_args() {
  local arg value
  while [ $# -gt 0 ]; do
    arg=$1
    shift
    value=""
    case $arg in
      --*=*)
        value=${arg#*=}
        arg=${arg%%=*}
        set -- "$value" "$@"
        ;;
    esac
    case $arg in
      -h | --help)
        usage
        exit 0
        ;;
      --rollback) set_action rollback ;;
      --uninstall) set_action uninstall ;;
      --no-replica) NO_REPLICA=1 ;;
      --root | --binary | --litestream | --port | --host | --replica-dir | --replica-sftp | --replica-s3 | --sftp-key | --s3-endpoint | --s3-region)
        [ $# -gt 0 ] && [ -n "$1" ] && [[ $1 != --* ]] || usage_error "$arg needs a value"
        value=$1
        shift
        case $arg in
          --root) ROOT=$value ;;
          --binary) BINARY=$value ;;
          --litestream) LITESTREAM=$value ;;
          --port) PORT=$value ;;
          --host) HOST=$value ;;
          --replica-dir) set_replica dir "$value" ;;
          --replica-sftp) set_replica sftp "$value" ;;
          --replica-s3) set_replica s3 "$value" ;;
          --sftp-key) SFTP_KEY=$value ;;
          --s3-endpoint) S3_ENDPOINT=$value ;;
          --s3-region) S3_REGION=$value ;;
        esac
        ;;
      *) usage_error "unknown option '$arg'" ;;
    esac
  done
  if [ -n "$PORT" ]; then
    [[ $PORT =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || usage_error "--port must be a number from 1 to 65535, not '$PORT'"
  fi
  if [ -n "$HOST" ]; then
    [[ $HOST =~ ^[0-9A-Za-z.:_-]+$ ]] || usage_error "--host must be an address or host name, not '$HOST'"
  fi
  if [ "$ACTION" != install ]; then
    [ -z "$BINARY$LITESTREAM$PORT$HOST$REPLICA_KIND$SFTP_KEY$S3_ENDPOINT$S3_REGION" ] && [ "$NO_REPLICA" = 0 ] ||
      usage_error "--$ACTION takes no other option than --root"
  fi
  [ -z "$REPLICA_KIND" ] || [ "$NO_REPLICA" = 0 ] || usage_error "--no-replica cannot be combined with --replica-$REPLICA_KIND"
  [ -z "$SFTP_KEY" ] || [ "$REPLICA_KIND" = sftp ] || usage_error "--sftp-key goes with --replica-sftp"
  [ -z "$S3_ENDPOINT$S3_REGION" ] || [ "$REPLICA_KIND" = s3 ] || usage_error "--s3-endpoint and --s3-region go with --replica-s3"
}

set_action() {
  [ "$ACTION" = install ] || [ "$ACTION" = "$1" ] || usage_error "--$ACTION and --$1 cannot be combined"
  ACTION=$1
}

set_replica() {
  [ -z "$REPLICA_KIND" ] || usage_error "choose one replica: --replica-$REPLICA_KIND or --replica-$1"
  REPLICA_KIND=$1
  REPLICA_URL=$2
}

# ---------------------------------------------------------------- paths
# Paths as the installed system sees them (written into the unit and configs) ...
readonly BIN=/usr/local/bin/mymedic
readonly LS_BIN=/usr/local/bin/litestream
readonly DATA=/var/lib/mymedic
readonly ETC=/etc/mymedic
readonly CONFIG=$ETC/config.json
readonly ENV_FILE=$ETC/mymedic.env
readonly LS_CONFIG=$ETC/litestream.yml
readonly SFTP_KEY_FILE=$ETC/sftp_key
readonly UNIT=/etc/systemd/system/$SERVICE.service

# ... and where this run writes them: under --root DIR, or /.
r() { printf '%s%s' "$ROOT" "$1"; }

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---------------------------------------------------------------- small tools
machine_arch() {
  case $(uname -m) in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

# The CPU an ELF executable is built for, from e_machine (bytes 18-19 of the header).
elf_arch() {
  local magic machine
  magic=$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')
  [ "$magic" = '177ELF' ] || {
    echo none
    return
  }
  machine=$(od -An -tx1 -j18 -N2 "$1" | tr -d ' \n')
  case $machine in
    3e00) echo x64 ;;
    b700) echo arm64 ;;
    *) echo "other($machine)" ;;
  esac
}

# The SQLite version compiled into a binary (its sqlite_version() string), or "".
embedded_sqlite_version() {
  LC_ALL=C grep -aoE '[^0-9A-Za-z_.]3\.[0-9]{2}\.[0-9]{1,2}[^0-9A-Za-z_.]' "$1" 2>/dev/null |
    tr -dc '0-9.\n' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1 || true
}

version_lt() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }

# Checks FILE against the SHA256SUMS file in its folder, when there is one.
verify_checksum() {
  local file=$1 dir base sums want got
  dir=$(cd "$(dirname "$file")" && pwd)
  base=$(basename "$file")
  sums=$dir/SHA256SUMS
  [ -f "$sums" ] || return 0
  want=$(awk -v b="$base" '$2 == b || $2 == "*" b { print $1; exit }' "$sums")
  if [ -z "$want" ]; then
    warn "$sums does not list $base; not checked"
    return 0
  fi
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$got" = "$want" ] || die "$file is damaged or not the released one: SHA256SUMS says $want, the file is $got. Copy the release folder again."
  CHECKED+=("$base")
}

first_existing() {
  local f
  for f in "$@"; do
    if [ -f "$f" ]; then
      printf '%s' "$f"
      return 0
    fi
  done
  return 1
}

# Writes stdin to FILE atomically (temp file in the same folder, then rename).
write_file() {
  local file=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp "$(dirname "$file")/.$(basename "$file").XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  own "$owner" "$tmp"
  mv -f "$tmp" "$file"
}

# chown that understands the service account in --root mode (ids from DIR/etc/passwd).
own() {
  local spec=$1
  shift
  [ "$(id -u)" = 0 ] || return 0
  case $spec in
    root:mymedic) spec=0:$SVC_GID ;;
    mymedic:mymedic) spec=$SVC_UID:$SVC_GID ;;
    root:root) spec=0:0 ;;
  esac
  chown "$spec" "$@"
}

# "GET path" over bash's /dev/tcp (curl and wget may be missing); prints the status code.
http_status() {
  local host=$1 port=$2 path=$3
  (
    exec 3<>"/dev/tcp/$host/$port" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
    IFS=' ' read -r -t 5 _ code _ <&3 || exit 1
    printf '%s' "$code"
  ) 2>/dev/null
}

# Waits up to SECONDS for GET /readyz to answer 200.
wait_ready() {
  local host=$1 port=$2 seconds=${3:-30} i
  for ((i = 0; i < seconds * 4; i++)); do
    [ "$(http_status "$host" "$port" /readyz || true)" = 200 ] && return 0
    sleep 0.25
  done
  return 1
}

lan_address() {
  local a
  a=$(hostname -I 2>/dev/null | awk '{ print $1 }') || true
  [ -n "$a" ] || a=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }') || true
  printf '%s' "${a:-127.0.0.1}"
}

# Sets KEY to the JSON value VALUE in the flat JSON object TEXT (no jq on a bare Debian).
json_set() {
  local text=$1 key=$2 value=$3 body
  if grep -qE "\"$key\"[[:space:]]*:" <<<"$text"; then
    sed -E "s/(\"$key\"[[:space:]]*:[[:space:]]*)(\"[^\"]*\"|[0-9.]+|true|false|null)/\1$value/" <<<"$text"
    return
  fi
  body=${text%\}*}                          # everything before the last "}"
  body=${body%"${body##*[![:space:]]}"}     # without trailing blanks
  if [[ $body =~ \{[[:space:]]*$ ]]; then
    printf '%s\n  "%s": %s\n}\n' "$body" "$key" "$value"
  else
    printf '%s,\n  "%s": %s\n}\n' "$body" "$key" "$value"
  fi
}

json_number() { grep -oE "\"$2\"[[:space:]]*:[[:space:]]*[0-9]+" "$1" 2>/dev/null | grep -oE '[0-9]+$' | head -1 || true; }
json_string() { grep -oE "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$1" 2>/dev/null | sed -E 's/.*"([^"]*)"$/\1/' | head -1 || true; }

# ---------------------------------------------------------------- the service account
SVC_UID="" SVC_GID=""

ensure_account() {
  if [ -z "$ROOT" ]; then
    getent group mymedic >/dev/null || groupadd --system mymedic
    getent passwd mymedic >/dev/null ||
      useradd --system --gid mymedic --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin --comment "MyMedic clinic server" mymedic
    SVC_UID=$(id -u mymedic)
    SVC_GID=$(getent group mymedic | cut -d: -f3)
    return
  fi
  # --root: write the entries into DIR/etc/{passwd,group} (and shadow files when present),
  # picking a free system id from the top of the range as useradd --system does.
  local passwd group id
  passwd=$(r /etc/passwd)
  group=$(r /etc/group)
  mkdir -p "$(r /etc)"
  touch "$passwd" "$group"
  SVC_GID=$(awk -F: '$1 == "mymedic" { print $3 }' "$group")
  SVC_UID=$(awk -F: '$1 == "mymedic" { print $3 }' "$passwd")
  if [ -z "$SVC_GID" ]; then
    for ((id = 999; id >= 100; id--)); do
      awk -F: -v id="$id" '$3 == id { found = 1 } END { exit !found }' "$group" "$passwd" || break
    done
    [ "$id" -ge 100 ] || die "no free system id in $group"
    SVC_GID=$id
    printf 'mymedic:x:%s:\n' "$SVC_GID" >>"$group"
    [ ! -f "$(r /etc/gshadow)" ] || printf 'mymedic:!::\n' >>"$(r /etc/gshadow)"
  fi
  if [ -z "$SVC_UID" ]; then
    if awk -F: -v id="$SVC_GID" '$3 == id { found = 1 } END { exit !found }' "$passwd"; then
      for ((id = 999; id >= 100; id--)); do
        awk -F: -v id="$id" '$3 == id { found = 1 } END { exit !found }' "$passwd" || break
      done
    else
      id=$SVC_GID
    fi
    SVC_UID=$id
    printf 'mymedic:x:%s:%s:MyMedic clinic server:%s:/usr/sbin/nologin\n' "$SVC_UID" "$SVC_GID" "$DATA" >>"$passwd"
    [ ! -f "$(r /etc/shadow)" ] || printf 'mymedic:!*:%s::::::\n' "$(($(date +%s) / 86400))" >>"$(r /etc/shadow)"
  fi
}

# ---------------------------------------------------------------- systemctl
in_root_mode() { [ -n "$ROOT" ]; }

systemctl_do() {
  if in_root_mode; then
    say "  (--root: would run: systemctl $*)"
  else
    systemctl "$@"
  fi
}

service_active() { ! in_root_mode && systemctl is-active --quiet "$SERVICE"; }

stop_service() {
  if service_active; then
    say "Stopping $SERVICE"
    systemctl stop "$SERVICE"
  elif in_root_mode; then
    systemctl_do stop "$SERVICE"
  fi
}

show_logs() {
  in_root_mode || journalctl -u "$SERVICE" -n 40 --no-pager >&2 || true
}

# ---------------------------------------------------------------- install pieces
CHECKED=()

find_sources() {
  local arch
  arch=$(machine_arch)
  if [ -n "$BINARY" ]; then
    [ -f "$BINARY" ] || die "--binary $BINARY: no such file"
  else
    BINARY=$(first_existing "$SCRIPT_DIR/mymedic" "$SCRIPT_DIR/../dist/mymedic") ||
      die "no mymedic binary beside install.sh or in dist/ (run \`bun run build\`, or give --binary FILE)"
  fi
  if [ -n "$LITESTREAM" ]; then
    [ -f "$LITESTREAM" ] || die "--litestream $LITESTREAM: no such file"
  else
    LITESTREAM=$(first_existing "$SCRIPT_DIR/litestream" "$SCRIPT_DIR/../dist/litestream" \
      "$SCRIPT_DIR/../node_modules/@flydotio/litestream-linux-$arch/litestream") || LITESTREAM=""
  fi
  BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
  [ -z "$LITESTREAM" ] || LITESTREAM=$(cd "$(dirname "$LITESTREAM")" && pwd)/$(basename "$LITESTREAM")

  # The release folder's checksums cover the script, templates and binaries.
  if [ -f "$SCRIPT_DIR/SHA256SUMS" ]; then
    (cd "$SCRIPT_DIR" && sha256sum --check --ignore-missing --quiet SHA256SUMS) ||
      die "the release folder $SCRIPT_DIR does not match its SHA256SUMS (damaged copy?). Copy it again."
    CHECKED+=("the release folder")
  fi
  verify_checksum "$BINARY"
  [ -z "$LITESTREAM" ] || verify_checksum "$LITESTREAM"

  local got
  got=$(elf_arch "$BINARY")
  [ "$got" = "$arch" ] || die "$BINARY is not a Linux $arch executable (it is: $got); use the release folder for $arch"
  NEW_VERSION=$("$BINARY" --version 2>&1) || die "$BINARY does not run here (exit $?): $NEW_VERSION"
  if [ -n "$LITESTREAM" ]; then
    got=$(elf_arch "$LITESTREAM")
    if [ "$got" != "$arch" ]; then
      if [ -n "$REPLICA_KIND" ]; then die "$LITESTREAM is not a Linux $arch executable (it is: $got)"; fi
      warn "$LITESTREAM is not a Linux $arch executable ($got); Litestream is not installed"
      LITESTREAM=""
    fi
  fi
  if [ -n "$LITESTREAM" ]; then
    LS_VERSION=$("$LITESTREAM" version 2>&1) || die "$LITESTREAM does not run here: $LS_VERSION"
    LS_SQLITE=$(embedded_sqlite_version "$LITESTREAM")
    if [ -n "$LS_SQLITE" ] && version_lt "$LS_SQLITE" "$MIN_SQLITE"; then
      warn "Litestream $LS_VERSION embeds SQLite $LS_SQLITE, older than $MIN_SQLITE (the WAL-reset fix); see install/README.md"
    fi
  fi
}

# Copies SRC to DEST; an existing different DEST becomes DEST.previous. Sets CHANGED=1 if
# the file changed.
install_binary() {
  local src=$1 dest=$2
  CHANGED=0
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    say "  ${dest#"$ROOT"}: already this build"
    return
  fi
  cp "$src" "$dest.new"
  chmod 0755 "$dest.new"
  own root:root "$dest.new"
  if [ -f "$dest" ]; then
    mv -f "$dest" "$dest.previous"
    say "  ${dest#"$ROOT"}.previous: the build it replaces (install.sh --rollback)"
  fi
  mv -f "$dest.new" "$dest"
  say "  ${dest#"$ROOT"}: installed"
  CHANGED=1
}

# Replaces KEY's line in the env file (or appends it).
set_env() {
  local key=$1 value=$2 file
  file=$(r "$ENV_FILE")
  case $value in
    *[[:space:]\"\'\\\$\`]*) die "$key must not contain spaces, quotes, backslashes, dollar signs or backticks" ;;
  esac
  { grep -v "^$key=" "$file" || true; } | { cat; printf '%s=%s\n' "$key" "$value"; } | write_file "$file" 0600 root:root
}

env_has() { grep -q "^$1=." "$(r "$ENV_FILE")" 2>/dev/null; }

write_config() {
  local file port host
  file=$(r "$CONFIG")
  if [ ! -f "$file" ]; then
    port=${PORT:-8080}
    host=${HOST:-0.0.0.0}
    printf '{\n  "host": "%s",\n  "port": %s\n}\n' "$host" "$port" | write_file "$file" 0640 root:mymedic
    say "  $CONFIG: host $host, port $port"
  else
    # Kept as it is (the owner may have added settings); only --port/--host change it.
    local text
    text=$(cat "$file")
    [ -z "$PORT" ] || text=$(json_set "$text" port "$PORT")
    [ -z "$HOST" ] || text=$(json_set "$text" host "\"$HOST\"")
    printf '%s\n' "$text" | write_file "$file" 0640 root:mymedic
    say "  $CONFIG: kept${PORT:+ (port $PORT)}${HOST:+ (host $HOST)}"
  fi
  EFFECTIVE_PORT=$(json_number "$file" port)
  EFFECTIVE_HOST=$(json_string "$file" host)
  EFFECTIVE_PORT=${EFFECTIVE_PORT:-8080}
  EFFECTIVE_HOST=${EFFECTIVE_HOST:-0.0.0.0}
}

write_env() {
  local file
  file=$(r "$ENV_FILE")
  if [ ! -f "$file" ]; then
    cat <<EOF | write_file "$file" 0600 root:root
# $ENV_FILE: secrets of the mymedic service, read by systemd (EnvironmentFile=).
# Mode 0600, owner root. Kept on upgrade and on uninstall.
# MYMEDIC_SECRET signs staff sessions: changing it signs everyone out.
EOF
  fi
  chmod 0600 "$file"
  own root:root "$file"
  if ! env_has MYMEDIC_SECRET; then
    set_env MYMEDIC_SECRET "$(head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
    say "  $ENV_FILE: MYMEDIC_SECRET generated"
  else
    say "  $ENV_FILE: kept"
  fi
}

yaml_quote() { printf '"%s"' "$1"; }

check_plain() {
  case $2 in
    *[[:space:]\"\'\\\$\`]* | "") die "$1 must not be empty or contain spaces, quotes, backslashes, dollar signs or backticks: '$2'" ;;
  esac
}

# Writes litestream.yml from the template for the --replica-* flag given.
write_replica_config() {
  local block="" tpl
  case $REPLICA_KIND in
    dir)
      local dir=$REPLICA_URL
      dir=${dir#file://}
      check_plain --replica-dir "$dir"
      [[ $dir == /* ]] || die "--replica-dir needs an absolute path, not '$dir'"
      dir=${dir%/}
      case $dir/ in
        "$DATA"/*) die "--replica-dir must be outside $DATA (a backup on the same folder is no backup)" ;;
        /home/* | /root/* | /run/user/*) die "--replica-dir cannot be under /home, /root or /run/user (the service cannot see them: ProtectHome=yes); use e.g. /mnt/backup/mymedic" ;;
      esac
      if [ ! -d "$(r "$dir")" ]; then
        mkdir -p "$(r "$dir")"
        chmod 0750 "$(r "$dir")" # it holds every patient record
      fi
      own mymedic:mymedic "$(r "$dir")" 2>/dev/null || warn "cannot give $dir to the mymedic user; make sure it can write there"
      block="      - type: file
        path: $(yaml_quote "$dir")"
      ;;
    sftp)
      [[ $REPLICA_URL =~ ^sftp://([^:@/]+)(:([^@/]*))?@([^:/@]+)(:([0-9]+))?(/.+)$ ]] ||
        die "--replica-sftp needs sftp://USER@HOST[:PORT]/PATH, not '$REPLICA_URL'"
      local user=${BASH_REMATCH[1]} password=${BASH_REMATCH[3]} host=${BASH_REMATCH[4]} port=${BASH_REMATCH[6]:-22} path=${BASH_REMATCH[7]}
      password=${password:-${MYMEDIC_SFTP_PASSWORD:-}}
      check_plain "the SFTP path" "$path"
      block="      - type: sftp
        host: $(yaml_quote "$host:$port")
        user: $(yaml_quote "$user")
        path: $(yaml_quote "$path")"
      if [ -n "$SFTP_KEY" ]; then
        [ -f "$SFTP_KEY" ] || die "--sftp-key $SFTP_KEY: no such file"
        cp "$SFTP_KEY" "$(r "$SFTP_KEY_FILE").new"
        chmod 0600 "$(r "$SFTP_KEY_FILE").new"
        own mymedic:mymedic "$(r "$SFTP_KEY_FILE").new"
        mv -f "$(r "$SFTP_KEY_FILE").new" "$(r "$SFTP_KEY_FILE")"
      fi
      if [ -n "$password" ]; then
        set_env MYMEDIC_SFTP_PASSWORD "$password"
      fi
      if [ -f "$(r "$SFTP_KEY_FILE")" ]; then
        block+="
        key-path: $SFTP_KEY_FILE"
      fi
      if env_has MYMEDIC_SFTP_PASSWORD; then
        # shellcheck disable=SC2016 # Litestream expands it from the environment file
        block+='
        password: "${MYMEDIC_SFTP_PASSWORD}"'
      fi
      [ -f "$(r "$SFTP_KEY_FILE")" ] || env_has MYMEDIC_SFTP_PASSWORD ||
        die "--replica-sftp needs --sftp-key FILE or MYMEDIC_SFTP_PASSWORD in the environment"
      ;;
    s3)
      [[ $REPLICA_URL =~ ^s3://([a-z0-9][a-z0-9.-]*)(/(.*))?$ ]] || die "--replica-s3 needs s3://BUCKET/PATH, not '$REPLICA_URL'"
      local bucket=${BASH_REMATCH[1]} path=${BASH_REMATCH[3]:-mymedic}
      path=${path%/}
      check_plain "the S3 path" "$path"
      block="      - type: s3
        bucket: $(yaml_quote "$bucket")
        path: $(yaml_quote "$path")"
      if [ -n "$S3_ENDPOINT" ]; then
        check_plain --s3-endpoint "$S3_ENDPOINT"
        block+="
        endpoint: $(yaml_quote "$S3_ENDPOINT")
        force-path-style: true"
      fi
      if [ -n "$S3_REGION" ]; then
        check_plain --s3-region "$S3_REGION"
        block+="
        region: $(yaml_quote "$S3_REGION")"
      fi
      local key_id=${LITESTREAM_ACCESS_KEY_ID:-${AWS_ACCESS_KEY_ID:-}} secret=${LITESTREAM_SECRET_ACCESS_KEY:-${AWS_SECRET_ACCESS_KEY:-}}
      if [ -n "$key_id" ] && [ -n "$secret" ]; then
        set_env LITESTREAM_ACCESS_KEY_ID "$key_id"
        set_env LITESTREAM_SECRET_ACCESS_KEY "$secret"
      elif ! { env_has LITESTREAM_ACCESS_KEY_ID && env_has LITESTREAM_SECRET_ACCESS_KEY; }; then
        die "--replica-s3 needs LITESTREAM_ACCESS_KEY_ID and LITESTREAM_SECRET_ACCESS_KEY in the environment (kept in $ENV_FILE)"
      fi
      ;;
  esac
  tpl=$(template litestream.yml.in)
  printf '%s\n' "${tpl//@REPLICA@/$block}" | write_file "$(r "$LS_CONFIG")" 0640 root:mymedic
  rm -f "$(r "$LS_CONFIG").off"
  say "  $LS_CONFIG: replica $REPLICA_KIND $REPLICA_URL"
}

template() {
  local f=$SCRIPT_DIR/$1
  [ -f "$f" ] || die "$1 is missing: it must be beside install.sh (it is in the release folder and in install/)"
  cat "$f"
}

replicating() { [ -f "$(r "$LS_CONFIG")" ] && [ -x "$(r "$LS_BIN")" ]; }

# The folder of a file replica, read back from litestream.yml (for ReadWritePaths).
replica_dir() {
  awk '/type:[[:space:]]*file/ { f = 1; next } f && /path:/ { sub(/^[^:]*:[[:space:]]*/, ""); gsub(/"/, ""); print; exit }' "$(r "$LS_CONFIG")"
}

write_unit() {
  local serve="$BIN serve --data $DATA --config $CONFIG" exec_start environment="" extra_rw="" caps tpl unit
  if replicating; then
    exec_start="$LS_BIN replicate -config $LS_CONFIG -exec \"$serve\""
    environment="Environment=MYMEDIC_LITESTREAM_CONFIG=$LS_CONFIG"
    local dir
    dir=$(replica_dir)
    # "-": a missing backup disk must not keep the clinic's server from starting.
    [ -z "$dir" ] || extra_rw=" -$dir"
  else
    exec_start=$serve
    environment="# (no replica configured: the server runs without Litestream)"
  fi
  if [ "$EFFECTIVE_PORT" -lt 1024 ]; then
    caps="# Port $EFFECTIVE_PORT is below 1024: the one capability needed to bind it.
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE"
  else
    caps="CapabilityBoundingSet="
  fi
  tpl=$(template mymedic.service.in)
  unit=${tpl//@EXEC_START@/$exec_start}
  unit=${unit//@ENVIRONMENT@/$environment}
  unit=${unit//@EXTRA_READ_WRITE_PATHS@/$extra_rw}
  unit=${unit//@CAPABILITIES@/$caps}
  mkdir -p "$(r /etc/systemd/system)"
  printf '%s\n' "$unit" | write_file "$(r "$UNIT")" 0644 root:root
  say "  $UNIT: $(if replicating; then echo "Litestream replicates, the server runs under it"; else echo "the server runs alone (no replica)"; fi)"
}

# Runs a mymedic command as the service account (as is, in --root mode).
as_service() {
  if in_root_mode; then
    "$@"
  else
    (cd / && runuser -u mymedic -- "$@")
  fi
}

ready_host() {
  case $EFFECTIVE_HOST in
    0.0.0.0 | "" | localhost) echo 127.0.0.1 ;;
    ::) echo ::1 ;;
    *) echo "$EFFECTIVE_HOST" ;;
  esac
}

start_and_report() {
  local upgrade=$1
  systemctl_do daemon-reload
  if [ "$upgrade" = 1 ]; then
    systemctl_do enable "$SERVICE"
    systemctl_do restart "$SERVICE"
  else
    systemctl_do enable --now "$SERVICE"
  fi
  local base
  case $EFFECTIVE_HOST in
    0.0.0.0 | "" | ::) base="http://$(lan_address):$EFFECTIVE_PORT" ;;
    *) base="http://$EFFECTIVE_HOST:$EFFECTIVE_PORT" ;;
  esac
  if in_root_mode; then
    say "  (--root: would wait for $base/readyz, then print the setup link from $DATA/setup-token)"
    say ""
    say "Installed under $ROOT. MyMedic would answer at $base"
    return
  fi
  say "Waiting for $SERVICE to answer /readyz"
  if ! wait_ready "$(ready_host)" "$EFFECTIVE_PORT" 30; then
    show_logs
    local hint=""
    [ "$upgrade" = 0 ] || hint=" To go back to the previous build: install.sh --rollback"
    die "$SERVICE did not become ready within 30 s (logs above; \`journalctl -u $SERVICE\`).$hint"
  fi
  say ""
  say "MyMedic is running: $base"
  local token_file
  token_file=$(r "$DATA/setup-token")
  if [ -s "$token_file" ]; then
    say "Set up the clinic (once, then this link stops working):"
    say "  $base/setup?token=$(tr -d '[:space:]' <"$token_file")"
  fi
}

do_install() {
  find_sources
  [ -n "$LITESTREAM" ] || [ -z "$REPLICA_KIND" ] ||
    die "--replica-$REPLICA_KIND needs Litestream: no litestream binary beside install.sh or in dist/ (give --litestream FILE)"

  local upgrade=0
  [ -f "$(r "$BIN")" ] && upgrade=1
  if [ "$upgrade" = 1 ]; then
    say "Upgrading MyMedic under ${ROOT:-/}: $("$(r "$BIN")" --version 2>/dev/null || echo "unknown version") -> $NEW_VERSION"
  else
    say "Installing $NEW_VERSION under ${ROOT:-/}"
  fi
  [ ${#CHECKED[@]} -eq 0 ] || say "  SHA256SUMS verified: ${CHECKED[*]}"

  ensure_account
  say "  account: mymedic (uid $SVC_UID, gid $SVC_GID)"
  mkdir -p "$(r "$DATA")" "$(r "$ETC")" "$(r /usr/local/bin)"
  chmod 0750 "$(r "$DATA")" "$(r "$ETC")"
  own mymedic:mymedic "$(r "$DATA")"
  own root:mymedic "$(r "$ETC")"
  write_config
  write_env

  if [ "$NO_REPLICA" = 1 ] && [ -f "$(r "$LS_CONFIG")" ]; then
    mv -f "$(r "$LS_CONFIG")" "$(r "$LS_CONFIG").off"
    say "  $LS_CONFIG: replication off (kept as litestream.yml.off)"
  fi
  [ -z "$REPLICA_KIND" ] || write_replica_config

  local was_active=0
  if [ "$upgrade" = 1 ]; then
    service_active && was_active=1
    stop_service
  fi
  install_binary "$BINARY" "$(r "$BIN")"
  local mymedic_changed=$CHANGED litestream_changed=0
  if [ -n "$LITESTREAM" ]; then
    install_binary "$LITESTREAM" "$(r "$LS_BIN")"
    litestream_changed=$CHANGED
  elif [ -f "$(r "$LS_CONFIG")" ] && [ ! -x "$(r "$LS_BIN")" ]; then
    warn "$LS_CONFIG is configured but no Litestream is installed: the server runs without a replica"
  fi
  # The .previous files are the pair that ran before this run: one left from an older
  # upgrade would pair the wrong builds on --rollback.
  if [ "$mymedic_changed" = 1 ] || [ "$litestream_changed" = 1 ]; then
    [ "$mymedic_changed" = 1 ] || rm -f "$(r "$BIN").previous"
    [ "$litestream_changed" = 1 ] || rm -f "$(r "$LS_BIN").previous"
  fi

  # Files a root shell made in the data folder (mymedic init as root) would lock the service out.
  [ "$(id -u)" != 0 ] || chown -R "$SVC_UID:$SVC_GID" "$(r "$DATA")"

  if [ -f "$(r "$DATA/mymedic.db")" ]; then
    say "Applying database migrations"
    local out
    if ! out=$(as_service "$(r "$BIN")" migrate --data "$(r "$DATA")" 2>&1); then
      printf '%s\n' "$out" >&2
      if [ "$mymedic_changed" = 1 ] && [ -f "$(r "$BIN").previous" ]; then
        mv -f "$(r "$BIN").previous" "$(r "$BIN")"
        if [ "$litestream_changed" = 1 ] && [ -f "$(r "$LS_BIN").previous" ]; then
          mv -f "$(r "$LS_BIN").previous" "$(r "$LS_BIN")"
        fi
        warn "the migration failed and changed nothing (one transaction): the previous binary is back in place"
      fi
      [ "$was_active" = 0 ] || systemctl start "$SERVICE" || true
      die "mymedic migrate failed (output above)"
    fi
    printf '%s\n' "$out" | sed 's/^/  /'
  fi

  write_unit
  start_and_report "$upgrade"
}

swap_files() {
  local a=$1 b=$2
  mv -f "$a" "$a.swap"
  mv -f "$b" "$a"
  mv -f "$a.swap" "$b"
}

do_rollback() {
  local bin prev ls_bin ls_prev swap_m=0 swap_l=0
  bin=$(r "$BIN")
  prev=$(r "$BIN").previous
  ls_bin=$(r "$LS_BIN")
  ls_prev=$(r "$LS_BIN").previous
  [ -f "$bin" ] || die "$BIN is missing: MyMedic is not installed"
  [ -f "$prev" ] && swap_m=1
  [ -f "$ls_prev" ] && [ -f "$ls_bin" ] && swap_l=1
  [ "$swap_m" = 1 ] || [ "$swap_l" = 1 ] ||
    die "no previous binary to go back to ($BIN.previous is missing): nothing was upgraded yet"
  if [ "$swap_m" = 1 ]; then
    say "Rolling back: $("$bin" --version 2>/dev/null || echo '?') -> $("$prev" --version 2>/dev/null || echo '?')"
  else
    say "Rolling back Litestream: $("$ls_bin" version 2>/dev/null || echo '?') -> $("$ls_prev" version 2>/dev/null || echo '?')"
  fi
  stop_service
  undo() {
    [ "$swap_m" = 0 ] || swap_files "$bin" "$prev"
    [ "$swap_l" = 0 ] || swap_files "$ls_bin" "$ls_prev"
  }
  undo
  if [ -f "$(r "$DATA/mymedic.db")" ]; then
    # The older binary must be able to open the database: refused (exit 3) when the upgrade
    # already migrated it to a newer schema.
    local out code=0
    [ "$swap_m" = 0 ] || out=$(as_service "$bin" migrate --data "$(r "$DATA")" 2>&1) || code=$?
    if [ "$code" != 0 ]; then
      printf '%s\n' "$out" >&2
      undo
      in_root_mode || systemctl start "$SERVICE" || true
      if [ "$code" = 3 ]; then
        die "the previous binary cannot open the database: the upgrade already moved it to a newer schema. Kept the current binary. To go back, first restore the copy taken before the migration ($DATA/backups/pre-migrate-*.db) with mymedic restore, then roll back."
      fi
      die "the previous binary failed on the database (exit $code); kept the current binary"
    fi
  fi
  [ "$swap_m" = 0 ] || say "  $BIN <-> $BIN.previous swapped"
  [ "$swap_l" = 0 ] || say "  $LS_BIN <-> $LS_BIN.previous swapped"
  say "  (run --rollback again to return to the newer build)"
  if in_root_mode; then
    systemctl_do restart "$SERVICE"
    return
  fi
  systemctl start "$SERVICE"
  EFFECTIVE_PORT=$(json_number "$(r "$CONFIG")" port)
  EFFECTIVE_HOST=$(json_string "$(r "$CONFIG")" host)
  EFFECTIVE_PORT=${EFFECTIVE_PORT:-8080}
  if ! wait_ready "$(ready_host)" "$EFFECTIVE_PORT" 30; then
    show_logs
    die "$SERVICE did not become ready after the rollback (logs above)"
  fi
  say "MyMedic is running $("$bin" --version)"
}

do_uninstall() {
  say "Uninstalling MyMedic from ${ROOT:-/}"
  if in_root_mode; then
    systemctl_do disable --now "$SERVICE"
  elif [ -f "$UNIT" ] || systemctl cat "$SERVICE" >/dev/null 2>&1; then
    systemctl disable --now "$SERVICE" || true
  fi
  local f
  for f in "$UNIT" "$BIN" "$BIN.previous" "$LS_BIN" "$LS_BIN.previous"; do
    if [ -e "$(r "$f")" ]; then
      rm -f "$(r "$f")"
      say "  removed $f"
    fi
  done
  systemctl_do daemon-reload
  in_root_mode || systemctl reset-failed "$SERVICE" 2>/dev/null || true
  say ""
  say "The data stayed in $DATA (the database, $(if [ -f "$(r "$DATA/mymedic.db")" ]; then echo "mymedic.db present"; else echo "no database yet"; fi))"
  say "and the settings and secrets in $ETC; the mymedic account is kept."
  say "Reinstalling (install.sh) picks them up again. To erase everything for good:"
  say "  rm -r $DATA $ETC && userdel mymedic"
}

main() {
  parse_args "$@"
  if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
  fi
  if ! in_root_mode; then
    [ "$(id -u)" = 0 ] || die "run as root (sudo $0 ...)"
    command -v systemctl >/dev/null || die "systemd is needed (systemctl not found)"
  elif [ "$(id -u)" != 0 ]; then
    warn "not root: files are written but not given to the mymedic account"
  fi
  # One install at a time.
  [ "$ACTION" != install ] || mkdir -p "$(r "$ETC")"
  if [ -d "$(r "$ETC")" ]; then
    exec 9>"$(r "$ETC")/.install.lock"
    flock -n 9 || die "another install.sh is running"
  fi
  umask 022
  case $ACTION in
    install) do_install ;;
    rollback) do_rollback ;;
    uninstall) do_uninstall ;;
  esac
}

# Sourced (by the tests) it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
