import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proveRunner } from './prove-runner.mjs';
import { readPin, sqliteLinkage, treeProblems } from './runner-pin.mjs';

// The checks between the pin and a staged tree, and the proof's verdicts, on small trees written
// in temp dirs (the real runner's tree is proven by the packaging check and e2e/bundled-runner).

const pin = readPin();
let tree;

/** A tree shaped like a staged one: the runner, its linux-x64 package and npm's lock record. */
async function stage({
  version = pin.version,
  engines = pin.node,
  integrity = pin.integrity,
  main = '',
} = {}) {
  const pkg = path.join(tree, 'node_modules/@stigmer/runner-slim');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: pin.package, version, engines: { node: engines } }),
  );
  await writeFile(path.join(pkg, 'main.js'), main);
  await writeFile(
    path.join(tree, 'node_modules/.package-lock.json'),
    JSON.stringify({
      packages: {
        'node_modules/@stigmer/runner-slim': { version, integrity },
        'node_modules/@stigmer/runner-slim-linux-x64': {
          version,
          integrity: pin.platforms['linux-x64'].integrity,
        },
      },
    }),
  );
}

beforeEach(async () => {
  tree = await mkdtemp(path.join(tmpdir(), 'stigmer-pin-'));
});
afterEach(() => rm(tree, { recursive: true, force: true }));

describe('treeProblems', () => {
  it('accepts a tree that matches the pin', async () => {
    await stage();
    expect(treeProblems(tree, pin, 'linux-x64')).toEqual([]);
  });

  it('refuses other tarball bytes, another version or range, and a platform the pin lacks', async () => {
    await stage({ integrity: 'sha512-other', version: '3.7.0', engines: '>=20' });
    const problems = treeProblems(tree, pin, 'linux-x64');
    expect(problems).toEqual([
      `@stigmer/runner-slim there is 3.7.0, the pin says ${pin.version}.`,
      `@stigmer/runner-slim declares Node >=20, the pin says ${pin.node}; run bump-runner.mjs to take the new range.`,
      `@stigmer/runner-slim's tarball integrity is sha512-other, the pin says ${pin.integrity}: the registry served other bytes for this version. Do not ship it; delete the cache and check the registry.`,
    ]);
    expect(treeProblems(tree, pin, 'freebsd-x64')[0]).toMatch(
      /^the pin has no platform package for freebsd-x64/,
    );
  });

  it('says when npm left no record to match, or nothing is installed', async () => {
    expect(treeProblems(tree, pin, 'linux-x64')[0]).toMatch(
      /package\.json is missing: the runner is not installed there\.$/,
    );
    await stage();
    await writeFile(path.join(tree, 'node_modules/.package-lock.json'), '{"packages":{}}');
    expect(treeProblems(tree, pin, 'linux-x64')).toHaveLength(2);
    expect(treeProblems(tree, pin, 'linux-x64')[0]).toContain(
      'so its tarball cannot be matched to the pin',
    );
  });
});

describe('sqliteLinkage', () => {
  it("tells a binding linked to the system's libsqlite3 from one with SQLite compiled in", async () => {
    expect(sqliteLinkage(tree)).toBeNull();
    const binding = path.join(tree, 'node_modules/sqlite3/build/Release/node_sqlite3.node');
    await mkdir(path.dirname(binding), { recursive: true });
    await writeFile(
      binding,
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.from('\0libsqlite3.so.0\0')]),
    );
    expect(sqliteLinkage(tree)).toBe('system');
    await writeFile(binding, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    expect(sqliteLinkage(tree)).toBe('bundled');
  });
});

describe('proveRunner verdicts (a stand-in main.js run as a real child)', () => {
  // Prints what the runner prints up to its Temporal connect, but loads no native module.
  const noNatives =
    'console.log("[runner] mode=static"); console.error("TransportError: tcp connect error"); process.exit(1);';

  it('fails a runner that starts but never loads its native modules, naming both', async () => {
    await stage({ main: noNatives });
    const result = await proveRunner({
      dir: tree,
      node: process.execPath,
      pin: { ...pin, node: '>=18' },
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'sqlite3\'s native binding was never loaded (see the output for "Could not locate the bindings file").',
      'the Temporal core bridge (.node) was never loaded: the platform package is missing or does not load on this OS/CPU.',
    ]);
  });

  it('fails a Node outside the range, another version, and a runner that dies before its start line', async () => {
    await stage({ main: 'process.exit(3);', version: '0.0.1' });
    const result = await proveRunner({
      dir: tree,
      node: process.execPath,
      pin: { ...pin, node: '>=99' },
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toContain(
      `it ran on Node ${process.versions.node}, which does not satisfy the runner's >=99: give a newer Node (Electron 45 has Node 24).`,
    );
    expect(result.problems).toContain(
      `the runner reports version 0.0.1, the pin says ${pin.version}: stage it again.`,
    );
    expect(result.problems).toContain('it never printed its start line ("[runner] mode=…").');
  });

  it('says what to do when there is nothing staged or no Node to run it', async () => {
    const none = await proveRunner({ dir: tree, node: process.execPath, pin });
    expect(none.problems[0]).toMatch(/main\.js is missing: stage the runner first/);
    await stage();
    const noNode = await proveRunner({ dir: tree, node: path.join(tree, 'no-such-node'), pin });
    expect(noNode.problems[0]).toMatch(/^no Node to run it with/);
  });
});
