#!/usr/bin/env bash
# Runs "$@" in the mount namespace unshare gave it, with /etc, /var/lib and /usr/local/bin
# as overlays over the real folders (writes land in $WORK/overlay, the machine is left as
# it was), /mnt as an empty tmpfs, and the fake systemctl/journalctl first on PATH.
# Used by test/install.test.ts: `unshare -m --propagation private bash this.sh CMD...`.
set -euo pipefail
: "${WORK:?WORK must name a scratch folder}"
here=$(cd "$(dirname "$0")" && pwd)
for d in /etc /var/lib /usr/local/bin; do
  key=$(echo "$d" | tr / _)
  mkdir -p "$WORK/overlay/$key/upper" "$WORK/overlay/$key/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$WORK/overlay/$key/upper,workdir=$WORK/overlay/$key/work" "$d"
done
mount -t tmpfs tmpfs /mnt
mkdir -p "$WORK/shim" "$WORK/shim-state"
cp "$here/fake-systemctl.sh" "$WORK/shim/systemctl"
ln -sf systemctl "$WORK/shim/journalctl"
chmod +x "$WORK/shim/systemctl"
export PATH="$WORK/shim:$PATH" SHIM_STATE="$WORK/shim-state"
# Whatever the steps leave running is stopped before the namespace goes away.
trap 'systemctl stop mymedic >/dev/null 2>&1 || true' EXIT
"$@"
