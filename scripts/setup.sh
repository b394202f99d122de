#!/usr/bin/env bash
# Installs everything a fresh Debian/Ubuntu machine needs to build, run and test Stigmer Local:
# Debian's Chromium (e2e; never `playwright install`), gnome-keyring + libsecret-tools + dbus
# (the real Secret Service keychain for tests), python3/make/g++/libsqlite3-dev (to build the
# real Stigmer runner's sqlite3 binding), then `npm ci` without the Electron download, and the
# real runner + a Node 22 for the real-runner e2e lane (scripts/setup-runner.sh, cached outside
# the repo in ~/.cache/stigmer-local-test; it runs beside `npm ci`).
#
#   bash scripts/setup.sh            everything
#   bash scripts/setup.sh --system   the Debian packages only (.ci/run does the rest itself)
# Env: STIGMER_RUNNER_SETUP=skip leaves the real runner out (its e2e lane then says it skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || need+=(libsecret-tools)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus dbus-x11)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v make >/dev/null 2>&1 || need+=(make)
command -v c++ >/dev/null 2>&1 || need+=(g++)
# System SQLite: the runner's sqlite3 binding links it instead of compiling its own (~20 s, not 5-10 min).
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
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
[ "${1:-}" = --system ] && exit 0

runner_pid=""
runner_log="${TMPDIR:-/tmp}/stigmer-setup-runner.log"
if [ "${STIGMER_RUNNER_SETUP:-}" != skip ]; then
  echo "setup: installing the real Stigmer runner beside npm ci (log: $runner_log)"
  bash scripts/setup-runner.sh >"$runner_log" 2>&1 &
  runner_pid=$!
fi

# No Electron binary can be downloaded on build machines; desktops with Electron run `npm start`.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund

if [ -n "$runner_pid" ]; then
  if wait "$runner_pid"; then
    echo "setup: real Stigmer runner ready ($(tail -n 1 "$runner_log"))"
  else
    # Not fatal for the app: only the real-runner e2e lane needs it, and it says it skipped.
    echo "setup: WARNING: installing the real Stigmer runner failed; the real-runner e2e lane will be skipped. See $runner_log" >&2
  fi
fi
