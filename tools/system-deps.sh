#!/bin/sh
# Install Debian packages handbill needs when they are missing, with apt-get
# when it is available and we are root (as in CI); elsewhere, name them and stop.
#   tools/system-deps.sh             the build's needs: HarfBuzz's subsetter (WeasyPrint
#                                    subsets embedded fonts with it)
#   tools/system-deps.sh PKG...      these packages (e.g. the font sources for `make fonts`)
set -e
if [ $# -eq 0 ]; then
  set -- libharfbuzz-subset0
fi
missing=""
for pkg in "$@"; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing from Debian's packages:$missing"
  # Waits for the package lock, so that `make -j` targets installing at once queue up.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
elif ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian system; make sure these are installed:$missing" >&2
else
  echo "handbill needs these system packages:$missing (install them with your package manager)" >&2
  exit 1
fi
