#!/bin/sh
# Install the system libraries handbill's build needs, when they are missing and
# apt is available (Debian, Ubuntu; as root, as in CI):
#   - HarfBuzz's subsetter, which WeasyPrint uses to subset fonts quickly;
#   - a CJK font (Debian's fonts-noto-cjk) for Chinese text.
# Elsewhere it says what to install and stops.
set -e
missing=""
if ! ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0"; then
  missing="$missing libharfbuzz-subset0"
fi
if ! fc-list 2>/dev/null | grep -q "Noto Sans CJK SC"; then
  missing="$missing fonts-noto-cjk"
fi
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing from Debian's packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "handbill needs these system packages:$missing (install them with your package manager)" >&2
  exit 1
fi
