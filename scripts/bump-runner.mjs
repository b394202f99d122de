#!/usr/bin/env node
// Moves the bundled runner to another published version: reads the registry's metadata
// (`npm view`), refuses a version whose engines.node the app's Node does not satisfy, checks the
// downloaded tarball's bytes against the registry's integrity and shasum, writes version,
// checksums and range into resources/runner/runner-pin.json, then stages the new runner and runs
// the proof. When staging or the proof fails the previous pin is put back.
//
// Usage: node scripts/bump-runner.mjs <version> [--app-node <v>] [--dry-run]
//   --app-node: the Node of the app's Electron (default: run node_modules/electron's binary when
//     it is installed, else the pin's "appNode", the Node line of the pinned Electron).
//   --dry-run: print the new pin, write nothing, stage nothing.
// Env: STIGMER_RUNNER_PIN (another pin file; the tests use one in a temp dir).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { pinPath as pinFile, readPin, root } from './runner-pin.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'app-node': { type: 'string' }, 'dry-run': { type: 'boolean' } },
});

function fail(message) {
  console.error(`bump-runner: ${message}`);
  process.exit(1);
}
const say = (message) => console.error(`bump-runner: ${message}`);

const version = positionals[0];
if (!version || !semver.valid(version)) {
  fail(
    'give the version to bundle, e.g. `node scripts/bump-runner.mjs 3.9.0` (`npm view @stigmer/runner-slim versions` lists them).',
  );
}
const old = readPin(pinFile);
const oldText = readFileSync(pinFile, 'utf8');

/** `npm view <spec> --json`: the registry's metadata of one version, or advice. */
function view(spec) {
  const out = spawnSync('npm', ['view', spec, '--json'], { encoding: 'utf8' });
  if (out.status !== 0 || !out.stdout.trim()) {
    fail(
      `npm view ${spec} failed (${(out.stderr || '').trim().split('\n').slice(-1)[0] || `exit ${out.status}`}): is the version published, and is the registry reachable?`,
    );
  }
  const parsed = JSON.parse(out.stdout);
  return Array.isArray(parsed) ? parsed.at(-1) : parsed;
}

/** The Node of the app's Electron: its binary when installed, else the pin's appNode. */
function appNode() {
  if (values['app-node']) return values['app-node'];
  // node_modules/electron/path.txt names the binary once it was downloaded; requiring the
  // package instead would start a download.
  const electronDir = path.join(root, 'node_modules/electron');
  const pathTxt = path.join(electronDir, 'path.txt');
  const electron = existsSync(pathTxt)
    ? path.join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
    : null;
  if (electron && existsSync(electron)) {
    try {
      return execFileSync(electron, ['-p', 'process.versions.node'], {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        encoding: 'utf8',
      }).trim();
    } catch {
      // It does not run here (no display libraries, another CPU): fall back to the pin.
    }
  }
  return old.appNode ?? null;
}

const meta = view(`${old.package}@${version}`);
const range = meta.engines?.node ?? null;
const node = appNode();
if (!range)
  fail(
    `${old.package}@${version} declares no engines.node; check its Node needs by hand before bundling it.`,
  );
if (!node)
  fail("cannot tell the app's Node: pass --app-node <version> (Electron's process.versions.node).");
if (!semver.satisfies(node, range)) {
  fail(
    `refusing ${old.package}@${version}: it needs Node ${range} and the app's Electron runs Node ${node}. Upgrade Electron first (then set "appNode" in ${path.relative(root, pinFile)}), or pick another version.`,
  );
}

const platforms = {};
for (const key of Object.keys(old.platforms)) {
  const name = `${old.package}-${key}`;
  if (!meta.optionalDependencies?.[name]) {
    say(
      `${old.package}@${version} no longer lists ${name}: builds for ${key} will have no runner.`,
    );
    continue;
  }
  const platformMeta = view(`${name}@${meta.optionalDependencies[name]}`);
  platforms[key] = {
    package: name,
    integrity: platformMeta.dist.integrity,
    shasum: platformMeta.dist.shasum,
  };
}

// The bytes, not only the metadata: download the tarball and hash it.
const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bump-runner-'));
try {
  const packed = spawnSync(
    'npm',
    ['pack', `${old.package}@${version}`, '--pack-destination', work, '--json'],
    { encoding: 'utf8' },
  );
  if (packed.status !== 0)
    fail(
      `npm pack ${old.package}@${version} failed: ${packed.stderr.trim().split('\n').slice(-1)[0]}`,
    );
  const tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
  const bytes = readFileSync(tarball);
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const shasum = createHash('sha1').update(bytes).digest('hex');
  if (integrity !== meta.dist.integrity || shasum !== meta.dist.shasum) {
    fail(
      `the downloaded tarball hashes to ${integrity} / ${shasum}, the registry says ${meta.dist.integrity} / ${meta.dist.shasum}: do not bundle it; try again, and report it if it persists.`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const pin = {
  $comment: old.$comment,
  package: old.package,
  version,
  integrity: meta.dist.integrity,
  shasum: meta.dist.shasum,
  node: range,
  ...(old.appNode ? { appNode: old.appNode } : {}),
  platforms,
};
const text = `${JSON.stringify(pin, null, 2)}\n`;
if (values['dry-run']) {
  process.stdout.write(text);
  process.exit(0);
}
writeFileSync(pinFile, text);
say(
  `${path.relative(root, pinFile)}: ${old.version} -> ${version} (Node ${range}; the app's is ${node})`,
);

// Stage and prove the new runner; put the old pin back when either fails.
for (const script of ['stage-runner.mjs', 'prove-runner.mjs']) {
  const step = spawnSync(process.execPath, [path.join(root, 'scripts', script)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (step.status !== 0) {
    writeFileSync(pinFile, oldText);
    fail(`${script} failed for ${version} (see above); the pin is back at ${old.version}.`);
  }
}
say(
  `done: ${old.package}@${version} is staged and proven. Commit ${path.relative(root, pinFile)}.`,
);
