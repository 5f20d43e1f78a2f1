#!/bin/sh
# Install the system packages handbill's build needs, when they are missing and
# apt is available: a CJK font (Debian's fonts-noto-cjk).
set -e
if fc-list 2>/dev/null | grep -q "Noto Sans CJK SC"; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing fonts-noto-cjk (Chinese font) from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
else
  echo "handbill needs the Noto Sans CJK SC font: install fonts-noto-cjk (or your system's package)" >&2
  exit 1
fi
