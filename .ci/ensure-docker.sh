#!/usr/bin/env bash
# Installs what the image test needs when it is missing and apt-get can (Debian's docker.io
# and debootstrap). Never fails: the test itself says loudly why it skips when Docker cannot run.
set -uo pipefail
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "ensure-docker: installing ${missing[*]}"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || echo "ensure-docker: COULD NOT INSTALL ${missing[*]}; the image test will say why it skips" >&2
  else
    echo "ensure-docker: ${missing[*]} missing and cannot be installed here (needs root and apt-get)" >&2
  fi
fi
exit 0
