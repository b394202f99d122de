#!/usr/bin/env node
// Packaging check that runs without the Electron download: electron-builder packs the built app
// (`--dir --linux --x64`) against a stand-in Electron folder, then this asserts what the app
// holds and that the metadata the deb, AppImage, dmg and nsis targets read is present.
// Needs `npm run build` first. Run: npm run test:package [-- --keep] (--keep leaves the output).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { proveRunner } from './prove-runner.mjs';
import { readPin, runnerPackageDir, treeProblems } from './runner-pin.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const keep = process.argv.includes('--keep');
const failures = [];
/** Records a failed expectation with the advice that fixes it; the run goes on to list all. */
function check(ok, what, advice) {
  if (ok) console.log(`  ok  ${what}`);
  else {
    console.log(`  FAIL ${what}\n       ${advice}`);
    failures.push(what);
  }
}

for (const built of ['dist/main/main.js', 'dist/main/preload.cjs', 'dist/renderer/index.html']) {
  if (!existsSync(path.join(root, built))) {
    console.error(
      `${built} is missing: the check packs the built app. Run \`npm run build\` first.`,
    );
    process.exit(2);
  }
}

const started = Date.now();
// The app carries the pinned runner (extraResources build/runner -> runner): stage it first. It
// reuses scripts/setup-runner.sh's cache (in CI it waits for the setup running in the background).
const stage = spawnSync(process.execPath, [path.join(root, 'scripts/stage-runner.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (stage.status !== 0) {
  console.error(
    'Staging the bundled runner failed (its advice is above); the app cannot be packed without it.',
  );
  process.exit(1);
}
const stageSeconds = (Date.now() - started) / 1000;
const work = mkdtempSync(path.join(tmpdir(), 'stigmer-package-'));
const electronDist = path.join(work, 'electron-dist');
const output = path.join(work, 'release');

// ---- The stand-in Electron folder ----------------------------------------------------------
// Tried against electron-builder 26.17: for linux --dir it copies electronDist as it is, renames
// `electron` to linux.executableName and writes the app into resources/. It checks nothing else,
// so the rest mirrors the real zip's layout only so the copy step sees a familiar tree.
mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
const standIn = path.join(electronDist, 'electron');
writeFileSync(
  standIn,
  '#!/bin/sh\necho "stand-in Electron from scripts/check-package.mjs: this build cannot run" >&2\nexit 1\n',
);
chmodSync(standIn, 0o755);
const electronPkg = JSON.parse(
  readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
);
writeFileSync(path.join(electronDist, 'version'), electronPkg.version);
writeFileSync(path.join(electronDist, 'LICENSE'), 'stand-in: see node_modules/electron/LICENSE\n');
writeFileSync(path.join(electronDist, 'LICENSES.chromium.html'), '<p>stand-in</p>\n');

// ---- Pack -----------------------------------------------------------------------------------
console.log(`Packing with a stand-in Electron ${electronPkg.version} (linux x64, --dir)…`);
const builderBin = path.join(root, 'node_modules/electron-builder/cli.js');
const run = spawnSync(
  process.execPath,
  [
    builderBin,
    '--dir',
    '--linux',
    '--x64',
    '--publish',
    'never',
    `--config.electronDist=${electronDist}`,
    `--config.directories.output=${output}`,
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      CSC_IDENTITY_AUTO_DISCOVERY: 'false',
    },
    encoding: 'utf8',
  },
);
const packSeconds = (Date.now() - started) / 1000;
if (run.status !== 0) {
  console.error(run.stdout, run.stderr);
  console.error(
    `electron-builder failed (exit ${run.status}) after ${packSeconds.toFixed(1)} s; its output is above. ` +
      'A configuration error there names the field in electron-builder.yml or package.json to fix.',
  );
  process.exit(1);
}

// ---- What the built app holds -----------------------------------------------------------------
const appDir = path.join(output, 'linux-unpacked');
const asarFile = path.join(appDir, 'resources/app.asar');
const asar = require('@electron/asar');
const files = new Set(asar.listPackage(asarFile).map((f) => f.replaceAll('\\', '/')));
const rebuild = 'Check `files:` in electron-builder.yml and run `npm run build` again.';
console.log('\nThe app archive (resources/app.asar):');
for (const want of [
  '/package.json',
  '/dist/main/main.js',
  '/dist/main/preload.cjs',
  '/dist/main/cli.js',
  '/dist/renderer/index.html',
]) {
  check(files.has(want), `holds ${want}`, rebuild);
}
// No test file anywhere (node_modules included); no sources, docs or dev configs of the app.
const forbidden = [...files].filter(
  (f) =>
    /^\/node_modules\/.*(\.test\.|\.spec\.|\/__tests__\/)/.test(f) ||
    /^\/(src-[^/]+|e2e|bench|scripts|docs|tests?|resources)\/|\.test\.|\.spec\.|browser-host\.|browser-bridge\.|^\/(tsconfig|vite|vitest|playwright)[^/]*$/.test(
      f,
    ),
);
check(
  forbidden.length === 0,
  'holds no sources, tests, e2e, browser host or dev configs',
  `found ${forbidden.slice(0, 5).join(', ')}; exclude them in electron-builder.yml \`files:\`.`,
);
// The keyring is loaded lazily (src-main/core/secrets/keychain.ts) so a build for another CPU
// falls back to session-only keys instead of failing while main.js loads.
const mainChunks = [...files].filter((f) => /^\/dist\/main\/[^/]+\.js$/.test(f));
const staticKeyring = mainChunks.filter((f) =>
  /^import[^;]*from\s*["']@napi-rs\/keyring["']/m.test(
    asar.extractFile(asarFile, f.slice(1)).toString('utf8'),
  ),
);
check(
  staticKeyring.length === 0,
  'main code imports @napi-rs/keyring only dynamically',
  `${staticKeyring.join(', ')} imports it statically; keep the import inside openKeychain.`,
);
const binding = 'node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node';
check(
  existsSync(path.join(appDir, 'resources/app.asar.unpacked', binding)) &&
    statSync(path.join(appDir, 'resources/app.asar.unpacked', binding)).size > 100_000,
  `the keyring binding is unpacked (app.asar.unpacked/${binding})`,
  'Native add-ons cannot load from inside the archive: keep `asarUnpack: **/*.node`.',
);
const worker = path.join(appDir, 'resources/app.asar.unpacked/dist/main/capture-worker.mjs');
check(
  existsSync(worker) &&
    [...readFileSync(worker, 'utf8').matchAll(/^import\b[^;]*?from\s*["']([^"']+)["']/gm)].every(
      (m) => m[1].startsWith('node:'),
    ),
  'the log-capture worker is unpacked and self-contained (app.asar.unpacked/dist/main/capture-worker.mjs imports only node: modules)',
  'Keep `dist/main/capture-worker.mjs` in asarUnpack and build it with `vite build --mode worker`.',
);
check(
  existsSync(path.join(appDir, 'stigmer-local')),
  'the executable is named stigmer-local (linux.executableName)',
  'Set linux.executableName in electron-builder.yml.',
);
console.log('\nResources (process.resourcesPath/resources):');
const shipped = path.join(appDir, 'resources/resources');
const icons = ['icon.png', 'icon.ico'];
for (const s of ['stopped', 'starting', 'ready', 'degraded', 'failed']) {
  icons.push(`tray-${s}.png`, `tray-${s}@2x.png`, `tray-${s}-Template.png`);
  icons.push(`tray-${s}-Template@2x.png`, `tray-${s}.ico`);
}
const missingIcons = icons.filter((f) => !existsSync(path.join(shipped, f)));
check(
  missingIcons.length === 0,
  `${icons.length} tray and app icons`,
  `missing ${missingIcons.join(', ')}: run \`node scripts/make-icons.mjs\` and check extraResources.`,
);
// The stigmer-local launchers (issue 13); Settings → Command line tool links the sh one.
const launcher = path.join(shipped, 'bin/stigmer-local');
check(
  existsSync(launcher) &&
    (statSync(launcher).mode & 0o111) !== 0 &&
    existsSync(path.join(shipped, 'bin/stigmer-local.cmd')),
  'the stigmer-local launchers (bin/stigmer-local, executable; bin/stigmer-local.cmd)',
  'Check `bin/**` under extraResources in electron-builder.yml and that resources/bin/stigmer-local is executable.',
);

// Updates (issue 14): electron-builder writes the feed config from `publish`; the app reads it
// only in a release build (STIGMER_LOCAL_UPDATES=1), see README "Updates".
const updateConfig = path.join(appDir, 'resources/app-update.yml');
const updateText = existsSync(updateConfig) ? readFileSync(updateConfig, 'utf8') : '';
check(
  /provider: github/.test(updateText) &&
    /owner: stigmer\b/.test(updateText) &&
    /repo: stigmer-local\b/.test(updateText),
  'resources/app-update.yml points at the GitHub releases of stigmer/stigmer-local',
  'Set `publish` (provider github, owner stigmer, repo stigmer-local) in electron-builder.yml.',
);

// ---- The bundled runner ------------------------------------------------------------------------
console.log('\nThe bundled runner (process.resourcesPath/runner):');
const pin = readPin();
const runnerTree = path.join(appDir, 'resources/runner');
const runnerPkg = runnerPackageDir(runnerTree, pin);
const restage =
  'Run `node scripts/stage-runner.mjs` and check the build/runner entry of extraResources.';
check(
  existsSync(path.join(runnerPkg, 'main.js')) &&
    statSync(path.join(runnerPkg, 'main.js')).size > 1_000_000,
  `${pin.package}'s main.js is on disk (resources/runner/…/main.js)`,
  restage,
);
check(
  ![...files].some((f) => f.includes('runner-slim')),
  'the runner is not inside app.asar',
  'Its native modules cannot load from the archive: keep it in extraResources only.',
);
const runnerProblems = treeProblems(runnerTree, pin, 'linux-x64');
check(
  runnerProblems.length === 0,
  `pinned version ${pin.version}, engines ${pin.node} and tarball integrity match resources/runner/runner-pin.json`,
  runnerProblems.join(' '),
);
for (const native of [
  'node_modules/sqlite3/build/Release/node_sqlite3.node',
  'node_modules/@stigmer/runner-slim-linux-x64/core-bridge/releases/x86_64-unknown-linux-gnu/index.node',
]) {
  check(existsSync(path.join(runnerTree, native)), `${native} is shipped`, restage);
}
const runnerDeps = ['@cursor/sdk', '@temporalio/common', '@grpc/grpc-js', 'jq-wasm', 'sqlite3'];
const missingDeps = runnerDeps.filter(
  (d) => !existsSync(path.join(runnerTree, 'node_modules', d, 'package.json')),
);
check(
  missingDeps.length === 0,
  `its node_modules (${runnerDeps.join(', ')})`,
  `missing ${missingDeps.join(', ')}; ${restage}`,
);
const bundleFile = path.join(runnerPkg, 'workflow-bundle.js');
check(
  existsSync(bundleFile) &&
    /\/\/# sourceMappingURL=data:application\/json;base64,\S+\s*$/.test(
      readFileSync(bundleFile, 'utf8').slice(-4096),
    ),
  'its workflow-bundle.js has an inline source map (Temporal refuses a prebuilt bundle without one)',
  'stage-runner.mjs appends one when the release lacks it; stage again.',
);
// electron-builder's filters drop some files silently (a root node_modules, see the yml): compare.
const countFiles = (dir) => {
  const out = spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.split('\n').filter(Boolean).length : -1;
};
const stagedCount = countFiles(path.join(root, 'build/runner'));
const packedCount = countFiles(runnerTree);
check(
  stagedCount > 0 && packedCount === stagedCount,
  `every staged runner file was packed (${packedCount} of ${stagedCount})`,
  'Check the two build/runner entries of extraResources in electron-builder.yml.',
);
// The proof runs what was packed, not the stage: the copy electron-builder made is what ships.
const proofStarted = Date.now();
const proof = await proveRunner({ dir: runnerTree, pin });
check(
  proof.ok,
  proof.ok
    ? `starts on Node ${proof.summary.node}, loads ${proof.summary.natives.length} native modules (SQLite ${proof.summary.sqlite}), reports ${proof.summary.runner} (${((Date.now() - proofStarted) / 1000).toFixed(1)} s)`
    : 'the packed runner starts, loads its native modules and reports its version',
  proof.ok
    ? ''
    : `${proof.problems.join(' ')}\n       Its output ends:\n${proof.output.split('\n').slice(-10).join('\n')}`,
);
const treeBytes = (dir) => {
  const out = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.split('\t')[0]) * 1024 : NaN;
};
const runnerBytes = treeBytes(runnerTree);
const appBytes = treeBytes(appDir);

// ---- Metadata the installers read -------------------------------------------------------------
console.log('\nMetadata for deb, AppImage, dmg and nsis:');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const config = parseYaml(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
const email =
  typeof pkg.author === 'object' ? pkg.author.email : /<([^>]+)>/.exec(pkg.author ?? '')?.[1];
const fixPkg = 'Add it to package.json.';
check(
  /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email ?? ''),
  'author has an email (deb Maintainer)',
  fixPkg,
);
check(/^https:\/\//.test(pkg.homepage ?? ''), 'homepage is an https URL (deb Homepage)', fixPkg);
check(Boolean(pkg.description), 'description (deb, AppImage, nsis)', fixPkg);
check(
  pkg.productName === config.productName,
  'productName in package.json and electron-builder.yml agree',
  'Electron reads productName from package.json at run time (menu, app name); keep both equal.',
);
check(
  /^[a-z0-9-]+\.desktop$/.test(pkg.desktopName ?? ''),
  'desktopName (Linux app_id, StartupWMClass)',
  fixPkg,
);
check(
  config.linux?.syncDesktopName === true,
  'linux.syncDesktopName names the .desktop file after desktopName',
  'Set linux.syncDesktopName: true.',
);
check(
  /^[a-z0-9.-]+$/.test(config.appId ?? ''),
  'appId (reverse DNS)',
  'Set appId in electron-builder.yml.',
);
check(Boolean(config.linux?.category), 'linux.category', 'Set linux.category.');
check(
  /<[^>]+@[^>]+>/.test(config.linux?.maintainer ?? ''),
  'linux.maintainer has an email',
  'Set linux.maintainer: Name <email>.',
);
check(Boolean(config.mac?.category), 'mac.category', 'Set mac.category.');
for (const [key, file] of [
  ['mac.icon', config.mac?.icon],
  ['linux.icon', config.linux?.icon],
  ['win.icon', config.win?.icon],
  ['mac.entitlements', config.mac?.entitlements],
  ['mac.entitlementsInherit', config.mac?.entitlementsInherit],
]) {
  check(
    Boolean(file) && existsSync(path.join(root, file)),
    `${key} exists (${file})`,
    `Point ${key} at a file in resources/.`,
  );
}
check(
  /\.ico$/.test(config.win?.icon ?? ''),
  'win.icon is an .ico',
  'Use resources/icon.ico (scripts/make-icons.mjs).',
);
const entitlements = readFileSync(path.join(root, config.mac?.entitlements ?? 'missing'), 'utf8');
check(
  entitlements.includes('com.apple.security.cs.disable-library-validation'),
  'entitlements allow add-ons signed by others (node-script services)',
  'See the comment in resources/entitlements.mac.plist.',
);

check(
  typeof config.afterPack === 'string' &&
    existsSync(path.join(root, config.afterPack)) &&
    (config.mac?.signIgnore ?? []).some((p) => p.includes('Contents/Resources/runner')),
  'macOS: afterPack signs the bundled runner, and electron-builder leaves its files to it',
  'Set afterPack: ./scripts/mac-sign-runner.mjs and mac.signIgnore: Contents/Resources/runner/ (docs/bundled-runner.md).',
);

const asarBytes = statSync(asarFile).size;
const seconds = (Date.now() - started) / 1000;
console.log(
  `\napp.asar ${(asarBytes / 1024 / 1024).toFixed(1)} MB, ${files.size} entries; runner ${(runnerBytes / 1024 / 1024).toFixed(0)} MB, packed dir ${(appBytes / 1024 / 1024).toFixed(0)} MB; staging ${stageSeconds.toFixed(1)} s, packing ${(packSeconds - stageSeconds).toFixed(1)} s, whole check ${seconds.toFixed(1)} s.`,
);
if (keep) console.log(`Output kept in ${output}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`${failures.length} packaging check(s) failed; each says what to change above.`);
  process.exit(1);
}
console.log('Packaging check passed.');
