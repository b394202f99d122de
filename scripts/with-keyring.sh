#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the real
# Secret Service), so keychain tests never touch the user's own keyring. Without
# dbus-run-session/gnome-keyring it runs the command as is (keychain tests then see "no keychain").
set -euo pipefail
if [ -n "${STIGMER_TEST_KEYRING:-}" ] || ! command -v dbus-run-session >/dev/null 2>&1 ||
  ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec "$@"
fi
export STIGMER_TEST_KEYRING=1
exec dbus-run-session -- bash -c '
  export XDG_DATA_HOME=$(mktemp -d)   # a fresh keyring every run, so the password matches
  printf %s ci-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$@"; rc=$?
  rm -rf "$XDG_DATA_HOME"
  exit $rc' bash "$@"
