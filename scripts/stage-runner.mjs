#!/usr/bin/env node
// Stages the pinned @stigmer/runner-slim into build/runner/ (not committed), which
// electron-builder ships as <resources>/runner outside the asar: main.js and its node_modules on
// disk, so Node can load its native modules. The install itself is scripts/setup-runner.sh's
// (--ignore-scripts, sqlite3's binding built against the npm Node package's headers), in its
// cache outside the repo: the tests use the same one, so CI installs once. Before the tree is
// used its tarballs are matched against the pin (scripts/runner-pin.mjs treeProblems).
//
// Usage: node scripts/stage-runner.mjs [--out DIR] [--platform P --arch A] [--release]
//   --release (npm run dist): on Linux, sqlite3's binding must have SQLite compiled in.
// Env: STIGMER_RUNNER_SETUP_STATUS / _LOG (CI: the setup runs in the background; wait for it),
// STIGMER_LOCAL_SKIP_RUNNER=1 (build an app without a bundled runner, e.g. Windows for now).
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultStageDir,
  runnerPackageDir,
  pinPath,
  platformKey,
  readPin,
  root,
  sqliteLinkage,
  treeProblems,
} from './runner-pin.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    platform: { type: 'string' },
    arch: { type: 'string' },
    release: { type: 'boolean' },
  },
});
const out = path.resolve(values.out ?? defaultStageDir);
const platform = values.platform ?? process.platform;
const arch = values.arch ?? process.arch;

function fail(message) {
  console.error(`stage-runner: ${message}`);
  process.exit(1);
}
const say = (message) => console.error(`stage-runner: ${message}`);

if (process.env.STIGMER_LOCAL_SKIP_RUNNER === '1') {
  rmSync(out, { recursive: true, force: true });
  say('STIGMER_LOCAL_SKIP_RUNNER=1: no runner staged; the app finds a runner the user installed.');
  process.exit(0);
}

const pin = readPin();
// sqlite3's binding is compiled on the build machine and the runner's platform package is
// chosen by npm for the machine it runs on: a tree for another OS or CPU cannot be made here.
if (platform !== process.platform || arch !== process.arch) {
  fail(
    `cannot stage the runner for ${platformKey(platform, arch)} on ${platformKey()}: its sqlite3 binding is built on this machine. Build that target on a ${platformKey(platform, arch)} machine (desktop.yml has one per OS).`,
  );
}
if (process.platform === 'win32') {
  fail(
    'staging on Windows is not scripted yet (scripts/setup-runner.sh is POSIX). Set STIGMER_LOCAL_SKIP_RUNNER=1 to build without a bundled runner.',
  );
}

/** CI starts scripts/setup-runner.sh in the background (.ci/run): wait for its status file. */
async function waitForBackgroundSetup() {
  const status = process.env.STIGMER_RUNNER_SETUP_STATUS;
  if (!status) return;
  const log = process.env.STIGMER_RUNNER_SETUP_LOG ?? '(no log named)';
  const deadline = Date.now() + 12 * 60_000;
  if (!existsSync(status)) say(`waiting for the runner setup running in the background (${log})`);
  while (!existsSync(status)) {
    if (Date.now() > deadline)
      fail(`the runner setup in the background did not finish in 12 minutes; see ${log}.`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const code = readFileSync(status, 'utf8').trim();
  if (code !== '0') {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    fail(`scripts/setup-runner.sh failed in the background (exit ${code}); ${log} ends:\n${tail}`);
  }
}

await waitForBackgroundSetup();
/**
 * Runs scripts/setup-runner.sh (idempotent: with the pinned version cached it only checks the
 * cache, a second or two) and returns the cached tree it names.
 */
function setupCache(extraEnv) {
  const setup = spawnSync('bash', [path.join(root, 'scripts/setup-runner.sh')], {
    cwd: root,
    env: { ...process.env, ...extraEnv, STIGMER_RUNNER_VERSION: pin.version },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (setup.status !== 0) {
    fail(`scripts/setup-runner.sh failed (exit ${setup.status}); its messages are above.`);
  }
  const line = setup.stdout.split('\n').find((l) => l.startsWith('STIGMER_TEST_RUNNER_MAIN='));
  if (!line) fail('scripts/setup-runner.sh printed no STIGMER_TEST_RUNNER_MAIN.');
  // .../runner-slim-<v>/node_modules/@stigmer/runner-slim/main.js -> .../runner-slim-<v>
  return path.resolve(line.slice(line.indexOf('=') + 1).trim(), '..', '..', '..', '..');
}

let cacheTree = setupCache({});
// An app must not need libsqlite3.so.0 on the user's machine: a release build takes a binding
// with SQLite compiled in (its own cache folder). The packaging check does not need one.
if (values.release && process.platform === 'linux' && sqliteLinkage(cacheTree) === 'system') {
  say(
    "release build: the cached sqlite3 binding links this machine's libsqlite3; building one with SQLite compiled in (5-10 minutes, once)",
  );
  cacheTree = setupCache({ STIGMER_RUNNER_SQLITE: 'bundled' });
}

const problems = treeProblems(cacheTree, pin, platformKey(platform, arch));
if (problems.length > 0) {
  fail(
    `the runner in ${cacheTree} does not match ${path.relative(root, pinPath)}:\n  ${problems.join('\n  ')}`,
  );
}

/**
 * Runner 3.8.0's workflow-bundle.js has no inline source map, and Temporal's worker refuses a
 * prebuilt workflow bundle without one, so the runner as published never reaches "Worker ready"
 * (README, "Workaround for runner 3.8.0"). The staged copy gets an empty one appended: a comment
 * line, after the tarball was matched to the pin, recorded in staged.json. A release that ships
 * a map is left as it is. Returns what was done, or null.
 */
function patchWorkflowBundle(tree) {
  const file = path.join(runnerPackageDir(tree, pin), 'workflow-bundle.js');
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  if (/\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+\s*$/.test(text))
    return null;
  const map = Buffer.from(JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }));
  appendFileSync(
    file,
    `\n//# sourceMappingURL=data:application/json;base64,${map.toString('base64')}\n`,
  );
  return `${path.relative(tree, file)}: an empty inline source map appended (Temporal refuses a prebuilt bundle without one)`;
}

// What this stage is made of; a stage with the same stamp is reused (CI packs more than once).
const stamp = {
  package: pin.package,
  version: pin.version,
  integrity: pin.integrity,
  platform: platformKey(platform, arch),
  node: pin.node,
  from: cacheTree,
  sqlite: sqliteLinkage(cacheTree),
  patches: ['workflow-bundle.js inline source map, when missing'],
  installedAt: statSync(path.join(cacheTree, '.complete')).mtimeMs,
};
const stampFile = path.join(out, 'staged.json');
const previous = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (
  previous === JSON.stringify(stamp, null, 2) &&
  treeProblems(out, pin, stamp.platform).length === 0
) {
  say(`${pin.package}@${pin.version} already staged in ${path.relative(root, out)}`);
  process.exit(0);
}

// Left out of the app: npm's bin links (symlinks; the app runs main.js itself) and sqlite3's
// build leftovers (objects, static archives, the 8 MB SQLite source): only its .node is loaded.
const sqliteKeep = new Set(['build', 'build/Release', 'build/Release/node_sqlite3.node']);
function keep(source) {
  const rel = path.relative(path.join(cacheTree, 'node_modules'), source).split(path.sep).join('/');
  if (rel === '.bin' || rel.startsWith('.bin/')) return false;
  if (rel.startsWith('sqlite3/')) {
    const inner = rel.slice('sqlite3/'.length);
    if (
      inner === 'deps' ||
      inner.startsWith('deps/') ||
      inner === 'src' ||
      inner.startsWith('src/')
    )
      return false;
    if (inner.startsWith('build')) return sqliteKeep.has(inner);
  }
  return true;
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, 'package.json'),
  `${JSON.stringify({ name: 'stigmer-local-bundled-runner', private: true, description: `${pin.package}@${pin.version}, staged by scripts/stage-runner.mjs` }, null, 2)}\n`,
);
cpSync(path.join(cacheTree, 'node_modules'), path.join(out, 'node_modules'), {
  recursive: true,
  filter: keep,
});
const patched = patchWorkflowBundle(out);
if (patched) say(`patched ${patched}`);
const after = treeProblems(out, pin, stamp.platform);
if (after.length > 0) fail(`the staged copy in ${out} is incomplete:\n  ${after.join('\n  ')}`);
writeFileSync(stampFile, JSON.stringify(stamp, null, 2));
say(
  `staged ${pin.package}@${pin.version} (${stamp.platform}) from ${cacheTree} into ${path.relative(root, out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
