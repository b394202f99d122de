import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// bump-runner.mjs as a real child process against a stand-in `npm` first on PATH, which answers
// `npm view` from a JSON file and `npm pack` with fixed bytes: no registry is asked. The pin is a
// copy in a temp dir ($STIGMER_RUNNER_PIN).

const here = path.dirname(fileURLToPath(import.meta.url));
const TARBALL = Buffer.from('pretend tarball of @stigmer/runner-slim 9.9.9\n');
const sha512 = `sha512-${createHash('sha512').update(TARBALL).digest('base64')}`;
const sha1 = createHash('sha1').update(TARBALL).digest('hex');

let work;
let pin;
let registry;
let bin;

/** What the stand-in registry knows about 9.9.9, with `engines` and `dist` as given. */
async function publish({ engines = '>=22.13', integrity = sha512, shasum = sha1 } = {}) {
  const versions = {
    '@stigmer/runner-slim@9.9.9': {
      version: '9.9.9',
      engines: { node: engines },
      dist: { integrity, shasum },
      optionalDependencies: Object.fromEntries(
        ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64'].map((k) => [
          `@stigmer/runner-slim-${k}`,
          '9.9.9',
        ]),
      ),
    },
  };
  for (const k of ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64']) {
    versions[`@stigmer/runner-slim-${k}@9.9.9`] = {
      version: '9.9.9',
      dist: { integrity: `sha512-${k}`, shasum: `sha1-${k}` },
    };
  }
  await writeFile(registry, JSON.stringify(versions));
}

function bump(...args) {
  return spawnSync(process.execPath, [path.join(here, 'bump-runner.mjs'), ...args], {
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      STIGMER_RUNNER_PIN: pin,
    },
    encoding: 'utf8',
  });
}

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stigmer-bump-'));
  pin = path.join(work, 'runner-pin.json');
  registry = path.join(work, 'registry.json');
  bin = path.join(work, 'bin');
  await copyFile(path.join(here, '../resources/runner/runner-pin.json'), pin);
  await mkdir(bin);
  const npm = path.join(bin, 'npm');
  await writeFile(
    npm,
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const [cmd, spec, ...rest] = process.argv.slice(2);
const known = JSON.parse(fs.readFileSync(${JSON.stringify(registry)}, 'utf8'));
if (!known[spec]) { console.error('npm error 404 ' + spec); process.exit(1); }
if (cmd === 'view') { console.log(JSON.stringify(known[spec])); process.exit(0); }
if (cmd === 'pack') {
  const dest = rest[rest.indexOf('--pack-destination') + 1];
  fs.writeFileSync(path.join(dest, 'runner.tgz'), ${JSON.stringify(TARBALL.toString())});
  console.log(JSON.stringify([{ filename: 'runner.tgz' }]));
  process.exit(0);
}
process.exit(2);
`,
  );
  await chmod(npm, 0o755);
});

afterEach(() => rm(work, { recursive: true, force: true }));

describe('bump-runner', () => {
  it('writes version, checksums, range and platform packages (dry run prints them)', async () => {
    await publish();
    const before = readFileSync(pin, 'utf8');
    const run = bump('9.9.9', '--dry-run', '--app-node', '24.0.0');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const next = JSON.parse(run.stdout);
    expect(next).toMatchObject({
      package: '@stigmer/runner-slim',
      version: '9.9.9',
      integrity: sha512,
      shasum: sha1,
      node: '>=22.13',
      appNode: '24.0.0',
    });
    expect(next.platforms['linux-x64']).toEqual({
      package: '@stigmer/runner-slim-linux-x64',
      integrity: 'sha512-linux-x64',
      shasum: 'sha1-linux-x64',
    });
    expect(Object.keys(next.platforms)).toHaveLength(5);
    expect(readFileSync(pin, 'utf8')).toBe(before);
  });

  it("refuses a version whose engines.node the app's Node does not satisfy", async () => {
    await publish({ engines: '>=26' });
    const before = readFileSync(pin, 'utf8');
    const run = bump('9.9.9', '--app-node', '24.0.0');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "refusing @stigmer/runner-slim@9.9.9: it needs Node >=26 and the app's Electron runs Node 24.0.0. Upgrade Electron first",
    );
    expect(readFileSync(pin, 'utf8')).toBe(before);
  });

  it('refuses a tarball whose bytes do not hash to what the registry says', async () => {
    await publish({ integrity: 'sha512-somethingelse' });
    const before = readFileSync(pin, 'utf8');
    const run = bump('9.9.9', '--app-node', '24.0.0');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the downloaded tarball hashes to ${sha512} / ${sha1}`);
    expect(readFileSync(pin, 'utf8')).toBe(before);
  });

  it('says how to name a version when none or a bad one is given, and when it is not published', async () => {
    await publish();
    expect(bump().stderr).toContain('give the version to bundle');
    expect(bump('latest').status).toBe(1);
    const missing = bump('9.9.8', '--app-node', '24.0.0');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('npm view @stigmer/runner-slim@9.9.8 failed');
  });
});
