#!/usr/bin/env bash
# A stand-in for systemctl (and, linked as journalctl, for journalctl) used by
# test/install.test.ts inside a private mount namespace where /etc, /var/lib and
# /usr/local/bin are overlays: it runs a unit's ExecStart as its User= with its
# EnvironmentFile=/Environment= and WorkingDirectory=, so install.sh's real (non --root)
# path can be driven end to end on a machine without systemd as PID 1. No sandboxing.
set -u
state=${SHIM_STATE:?SHIM_STATE must name a folder}
name=$(basename "$0")
if [ "$name" = journalctl ]; then
  cat "$state"/*.log 2>/dev/null
  exit 0
fi
echo "systemctl $*" >>"$state/calls"

unit_file() { echo "/etc/systemd/system/${1%.service}.service"; }
pid_of() { cat "$state/${1%.service}.pid" 2>/dev/null; }
running() {
  local p
  p=$(pid_of "$1") && kill -0 "$p" 2>/dev/null
}

start() {
  local unit f exec user wd envs=() line
  unit=${1%.service}
  f=$(unit_file "$unit")
  [ -f "$f" ] || {
    echo "Unit $unit.service not found." >&2
    return 5
  }
  running "$unit" && return 0
  exec=$(sed -n 's/^ExecStart=//p' "$f")
  user=$(sed -n 's/^User=//p' "$f")
  wd=$(sed -n 's/^WorkingDirectory=//p' "$f")
  while IFS= read -r line; do
    [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && envs+=("$line")
  done <"$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$f")"
  while IFS= read -r line; do envs+=("$line"); done < <(sed -n 's/^Environment=//p' "$f")
  (
    cd "$wd" || exit 1
    # Like systemd, start the service with no descriptors of the caller (install.sh's lock).
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -le 2 ] || eval "exec $fd>&-" 2>/dev/null || true
    done
    setpriv --reuid="$user" --regid="$user" --init-groups -- \
      env -i PATH=/usr/local/bin:/usr/bin:/bin "${envs[@]}" bash -c "exec $exec" \
      >>"$state/$unit.log" 2>&1 </dev/null &
    echo $! >"$state/$unit.pid"
  )
}

stop() {
  local unit=${1%.service} p i
  p=$(pid_of "$unit") || return 0
  kill -TERM "$p" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  rm -f "$state/$unit.pid"
}

now=0 quiet=0 args=()
for a in "$@"; do
  case $a in
    --now) now=1 ;;
    --quiet | -q | --no-pager) quiet=1 ;;
    *) args+=("$a") ;;
  esac
done
: "$quiet"
cmd=${args[0]:-}
unit=${args[1]:-}
case $cmd in
  daemon-reload | reset-failed) exit 0 ;;
  enable) [ "$now" = 0 ] || start "$unit" ;;
  disable) [ "$now" = 0 ] || stop "$unit" ;;
  start) start "$unit" ;;
  stop) stop "$unit" ;;
  restart)
    stop "$unit"
    start "$unit"
    ;;
  is-active) running "$unit" ;;
  cat) [ -f "$(unit_file "$unit")" ] && cat "$(unit_file "$unit")" ;;
  *)
    echo "fake systemctl: $cmd is not supported" >&2
    exit 1
    ;;
esac
