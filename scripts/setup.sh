#!/usr/bin/env bash
# Installs everything a fresh Debian/Ubuntu machine needs to build, run and test Stigmer Local:
# Debian's Chromium (e2e; never `playwright install`), gnome-keyring + libsecret-tools + dbus
# (the real Secret Service keychain for tests), then `npm ci` without the Electron download.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || need+=(libsecret-tools)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus dbus-x11)
if ((${#need[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing ${need[*]} with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: please install: ${need[*]} (no apt-get on this machine)" >&2
  fi
fi

# No Electron binary can be downloaded on build machines; desktops with Electron run `npm start`.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
