#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium through chromium-driver. Installs
# both with apt-get where this runs as root; elsewhere says loudly that those tests will
# skip (pytest then lists them as SKIPPED with the same reason). Never fails `make test`.
set -uo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "browser: $(chromium --version 2>/dev/null | head -1)"
  exit 0
fi

skip() {
  echo "=====================================================================" >&2
  echo "browser: THE DASHBOARD'S BROWSER TESTS WILL SKIP: $1" >&2
  echo "=====================================================================" >&2
  exit 0
}

[ "$(id -u)" = 0 ] || skip "chromium is missing and installing it needs root (apt-get install chromium chromium-driver)"
command -v apt-get >/dev/null || skip "chromium is missing and there is no apt-get to install it"
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; }
echo "browser: installing Debian's chromium and chromium-driver"
install || { apt-get update -qq >/dev/null 2>&1 && install; } || skip "apt-get could not install chromium"
echo "browser: $(chromium --version 2>/dev/null | head -1)"
