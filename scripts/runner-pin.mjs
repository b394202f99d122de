// The pinned runner (resources/runner/runner-pin.json) and the checks every runner script shares:
// stage-runner.mjs, prove-runner.mjs, bump-runner.mjs and check-package.mjs read it from here so
// that the version, checksums and Node range have one source of truth.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The pin file: version, integrity and shasum of the runner and its platform packages (tests: $STIGMER_RUNNER_PIN). */
export const pinPath =
  process.env.STIGMER_RUNNER_PIN ?? path.join(root, 'resources/runner/runner-pin.json');
/** Where scripts/stage-runner.mjs puts the tree electron-builder ships as resources/runner. */
export const defaultStageDir = path.join(root, 'build/runner');

/** Reads the pin file; throws advice when it is missing or incomplete. */
export function readPin(file = pinPath) {
  let pin;
  try {
    pin = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read the runner pin ${file} (${error.message}). Restore it from git, or write it again with \`node scripts/bump-runner.mjs <version>\`.`,
      { cause: error },
    );
  }
  for (const key of ['package', 'version', 'integrity', 'shasum', 'node', 'platforms']) {
    if (!pin[key]) {
      throw new Error(
        `The runner pin ${file} has no "${key}". Write it again with \`node scripts/bump-runner.mjs ${pin.version ?? '<version>'}\`.`,
      );
    }
  }
  return pin;
}

/** "linux-x64": the key of a platform package in the pin, as npm's os and cpu name it. */
export function platformKey(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

/** The runner's package folder inside a staged (or cached) tree. */
export function runnerPackageDir(tree, pin) {
  return path.join(tree, 'node_modules', ...pin.package.split('/'));
}

/**
 * How sqlite3's binding in a tree gets SQLite: 'system' when it links the machine's libsqlite3
 * (setup-runner.sh does that when libsqlite3-dev is there: fast, fine for CI, but an app built
 * so needs libsqlite3.so.0 on every user's machine), 'bundled' when SQLite is compiled in, null
 * when there is no binding.
 */
export function sqliteLinkage(tree) {
  const binding = path.join(tree, 'node_modules/sqlite3/build/Release/node_sqlite3.node');
  if (!existsSync(binding)) return null;
  // The dynamic section names the libraries it needs; the name is there as plain bytes.
  return readFileSync(binding).includes('libsqlite3.so') ? 'system' : 'bundled';
}

/** The runner's entry script inside a staged (or cached) tree. */
export function runnerMain(tree, pin) {
  return path.join(runnerPackageDir(tree, pin), 'main.js');
}

/**
 * What is wrong with an installed tree, compared with the pin (empty when nothing). The integrity
 * npm recorded in node_modules/.package-lock.json is the value it checked the downloaded tarball
 * against while extracting it (EINTEGRITY otherwise), so equal to the pin means the bytes on
 * disk came from the pinned tarball, even when the registry's metadata changed since.
 */
export function treeProblems(tree, pin, key = platformKey()) {
  const problems = [];
  const pkgDir = runnerPackageDir(tree, pin);
  const platformPin = pin.platforms[key];
  if (!platformPin) {
    return [
      `the pin has no platform package for ${key} (it lists ${Object.keys(pin.platforms).join(', ')}); the runner does not ship a native bridge for it.`,
    ];
  }
  const readJson = (file) => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return null;
    }
  };
  const manifest = readJson(path.join(pkgDir, 'package.json'));
  if (!manifest) return [`${pkgDir}/package.json is missing: the runner is not installed there.`];
  if (manifest.version !== pin.version) {
    problems.push(`${pin.package} there is ${manifest.version}, the pin says ${pin.version}.`);
  }
  if ((manifest.engines?.node ?? null) !== pin.node) {
    problems.push(
      `${pin.package} declares Node ${manifest.engines?.node ?? '(none)'}, the pin says ${pin.node}; run bump-runner.mjs to take the new range.`,
    );
  }
  if (!existsSync(path.join(pkgDir, 'main.js'))) problems.push(`${pkgDir}/main.js is missing.`);
  const lock = readJson(path.join(tree, 'node_modules/.package-lock.json'));
  const checks = [
    [pin.package, pin.integrity],
    [platformPin.package, platformPin.integrity],
  ];
  for (const [name, integrity] of checks) {
    const entry = lock?.packages?.[`node_modules/${name}`];
    if (!entry) {
      problems.push(
        `npm's record of ${name} (node_modules/.package-lock.json) is missing, so its tarball cannot be matched to the pin.`,
      );
    } else if (entry.integrity !== integrity) {
      problems.push(
        `${name}'s tarball integrity is ${entry.integrity}, the pin says ${integrity}: the registry served other bytes for this version. Do not ship it; delete the cache and check the registry.`,
      );
    }
  }
  return problems;
}
