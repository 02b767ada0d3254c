#!/usr/bin/env bash
# Installs what the browser tests drive: Debian's Chromium (Playwright downloads no
# browser of its own here) and a CJK font, so that screenshots of the site are readable.
# Does nothing when both are present; needs root or sudo otherwise.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-browser: Chromium is missing; install the Debian packages chromium and fonts-noto-cjk as root" >&2
    exit 1
  fi
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
