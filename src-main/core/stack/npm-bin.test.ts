import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareVersions,
  findPackage,
  isNodeShebang,
  readEnginesNode,
  resolveNodeScript,
  satisfies,
  shimTarget,
} from './npm-bin';

describe('satisfies', () => {
  // The ranges engines.node fields really use, read as npm reads them.
  it.each([
    ['v22.23.5', '^20.19 || ^22.12 || >=24', true],
    ['v21.7.3', '^20.19 || ^22.12 || >=24', false],
    ['v20.20.2', '>=20 <21 || >=22', true],
    ['v22.13.0', '20.19.0 - 22.13.0', true],
    ['v22.13.1', '20.19.0 - 22.13.0', false],
    ['v22.99.0', '~22.13', false],
    ['v24.11.1', '*', true],
  ])('%s in %j -> %s', (version, range, want) => {
    expect(satisfies(version, range)).toBe(want);
  });

  it('answers the cases the runner needs', () => {
    expect(satisfies('v20.20.2', '>=22.13')).toBe(false);
    expect(satisfies('v22.13.0', '>=22.13')).toBe(true);
    expect(satisfies('22.23.5', '>=22.13')).toBe(true);
  });

  it('never lets a pre-release or nightly satisfy', () => {
    expect(satisfies('v23.0.0-nightly20250101abc', '>=22.13')).toBe(false);
  });

  it('throws on a range it cannot read', () => {
    expect(() => satisfies('v22.13.0', '>=twenty-two')).toThrow(/not a version range/);
  });

  it('orders versions numerically, not as text; unreadable ones first', () => {
    const sorted = ['v22.9.0', 'v22.13.0', 'junk', 'v9.0.0', 'v22.13.1'].sort(compareVersions);
    expect(sorted).toEqual(['junk', 'v9.0.0', 'v22.9.0', 'v22.13.0', 'v22.13.1']);
  });
});

describe('isNodeShebang', () => {
  it.each([
    ['#!/usr/bin/env node\n', true],
    ['#!/usr/bin/env -S node --no-warnings\n', true],
    ['#!/usr/local/bin/node\r\n', true],
    ['#!/bin/sh\n', false],
    ['#!/usr/bin/env nodejs-wrapper\n', false],
    ['console.log(1)\n', false],
  ])('%j -> %s', (head, want) => {
    expect(isNodeShebang(head)).toBe(want);
  });
});

// Written by npm's cmd-shim (the module npm itself uses) for a global install on Windows:
// <prefix>\stigmer-runner.cmd next to <prefix>\node_modules. Copied from its real output.
const GLOBAL_CMD = `@ECHO off\r\nGOTO start\r\n:find_dp0\r\nSET dp0=%~dp0\r\nEXIT /b\r\n:start\r\nSETLOCAL\r\nCALL :find_dp0\r\n\r\nIF EXIST "%dp0%\\node.exe" (\r\n  SET "_prog=%dp0%\\node.exe"\r\n) ELSE (\r\n  SET "_prog=node"\r\n  SET PATHEXT=%PATHEXT:;.JS;=;%\r\n)\r\n\r\nendLocal & goto #_undefined_# 2>NUL || title %COMSPEC% & "%_prog%"  "%dp0%\\node_modules\\@stigmer\\runner-slim\\main.js" %*\r\n`;
// cmd-shim's sh shim in node_modules/.bin (used by Git Bash on Windows), from its real output.
const BIN_SH = `#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e 's,\\\\,/,g')")\n\ncase \`uname\` in\n    *CYGWIN*|*MINGW*|*MSYS*)\n        if command -v cygpath > /dev/null 2>&1; then\n            basedir=\`cygpath -w "$basedir"\`\n        fi\n    ;;\nesac\n\nif [ -x "$basedir/node" ]; then\n  exec "$basedir/node"  "$basedir/../@stigmer/runner-slim/main.js" "$@"\nelse \n  exec node  "$basedir/../@stigmer/runner-slim/main.js" "$@"\nfi\n`;

describe('shimTarget', () => {
  it('reads the script from a global .cmd shim, relative to the shim', () => {
    expect(shimTarget(GLOBAL_CMD, '/p')).toBe('/p/node_modules/@stigmer/runner-slim/main.js');
  });

  it('reads a node_modules/.bin .cmd shim (%dp0%\\..\\pkg\\main.js)', () => {
    const cmd = GLOBAL_CMD.replace('%dp0%\\node_modules\\@stigmer', '%dp0%\\..\\@stigmer');
    expect(shimTarget(cmd, '/p/node_modules/.bin')).toBe(
      '/p/node_modules/@stigmer/runner-slim/main.js',
    );
  });

  it('reads the sh shim', () => {
    expect(shimTarget(BIN_SH, '/p/node_modules/.bin')).toBe(
      '/p/node_modules/@stigmer/runner-slim/main.js',
    );
  });

  it('returns null for a shell script that is not a shim', () => {
    expect(shimTarget('#!/bin/sh\nexec /usr/bin/temporal "$@"\n', '/p')).toBeNull();
  });
});

describe('resolveNodeScript on real files', () => {
  let dir: string;
  let pkg: string;
  let main: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'npm-bin-'));
    pkg = join(dir, 'lib', 'node_modules', '@stigmer', 'runner-slim');
    main = join(pkg, 'main.js');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@stigmer/runner-slim', engines: { node: '>=22.13' } }),
    );
    await writeFile(main, '#!/usr/bin/env node\nconsole.log("hi");\n');
    await chmod(main, 0o755);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const want = () => ({
    script: main,
    packageDir: pkg,
    packageName: '@stigmer/runner-slim',
    enginesNode: '>=22.13',
  });

  it('follows the bin symlink `npm i -g` makes to the script and its engines.node', async () => {
    const bin = join(dir, 'bin', 'stigmer-runner');
    await mkdir(dirname(bin), { recursive: true });
    await symlink('../lib/node_modules/@stigmer/runner-slim/main.js', bin);
    expect(await resolveNodeScript(bin)).toEqual(want());
  });

  it('takes the script itself, found by its .js extension even without a shebang', async () => {
    await writeFile(main, 'console.log("no shebang");\n');
    expect(await resolveNodeScript(main)).toEqual(want());
  });

  it('recognises an extensionless script by its node shebang', async () => {
    const cli = join(pkg, 'bin', 'cli');
    await mkdir(dirname(cli), { recursive: true });
    await writeFile(cli, '#!/usr/bin/env node\nrequire("../main.js");\n');
    expect(await resolveNodeScript(cli)).toEqual({ ...want(), script: cli });
  });

  it('follows a .cmd shim and an sh shim to the script', async () => {
    const cmd = join(dir, 'lib', 'stigmer-runner.cmd');
    await writeFile(cmd, GLOBAL_CMD);
    expect(await resolveNodeScript(cmd)).toEqual(want());
    const sh = join(dir, 'lib', 'node_modules', '.bin', 'stigmer-runner');
    await mkdir(dirname(sh), { recursive: true });
    await writeFile(sh, BIN_SH);
    expect(await resolveNodeScript(sh)).toEqual(want());
  });

  it('skips a {"type":"module"} stub on the way up to the named package', async () => {
    const dist = join(pkg, 'dist');
    await mkdir(dist, { recursive: true });
    await writeFile(join(dist, 'package.json'), '{"type":"module"}');
    await writeFile(join(dist, 'cli.mjs'), 'export {};\n');
    expect(await findPackage(dist)).toEqual({
      dir: pkg,
      name: '@stigmer/runner-slim',
      enginesNode: '>=22.13',
    });
  });

  it('returns null for programs that are not Node scripts, and for missing paths', async () => {
    const sh = join(dir, 'temporal');
    await writeFile(sh, '#!/bin/sh\necho temporal\n');
    expect(await resolveNodeScript(sh)).toBeNull();
    expect(await resolveNodeScript('/bin/sh')).toBeNull(); // a native binary
    expect(await resolveNodeScript(join(dir, 'nope'))).toBeNull();
  });

  it('reads engines.node from a package folder, or null without one', async () => {
    expect(await readEnginesNode(pkg)).toBe('>=22.13');
    await writeFile(join(pkg, 'package.json'), '{"name":"x"}');
    expect(await readEnginesNode(pkg)).toBeNull();
    expect(await readEnginesNode(join(dir, 'missing'))).toBeNull();
  });
});

const cached = process.env.STIGMER_TEST_RUNNER_BIN;

describe.skipIf(!cached)(
  'resolveNodeScript on the real installed runner (scripts/setup-runner.sh)',
  () => {
    it('finds main.js and engines.node >=22.13 behind node_modules/.bin/stigmer-runner', async () => {
      const got = await resolveNodeScript(cached ?? '');
      expect(got?.packageName).toBe('@stigmer/runner-slim');
      expect(got?.enginesNode).toBe('>=22.13');
      expect(got?.script.endsWith('/main.js')).toBe(true);
    });
  },
);
