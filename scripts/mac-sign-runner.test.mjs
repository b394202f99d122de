import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import afterPack, {
  NODE_ENTITLEMENTS,
  findMachO,
  machOKind,
  signCommands,
  signRunnerTree,
} from './mac-sign-runner.mjs';

// macOS signing cannot run on Linux CI: these check which files it finds (real files with
// Mach-O headers written byte by byte) and the codesign command lines it runs, through a
// stand-in `codesign` first on PATH that records its argv.

let work;
let tree;
let calls;
const savedEnv = { ...process.env };

/** A thin 64-bit Mach-O header as an arm64/x64 Mac writes it (little-endian), then padding. */
function thin(filetype) {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xfeedfacf, 0); // written LE: reads back as 0xcffaedfe big-endian
  b.writeUInt32LE(0x0100000c, 4); // CPU_TYPE_ARM64
  b.writeUInt32LE(0, 8);
  b.writeUInt32LE(filetype, 12);
  return b;
}

/** A universal file with two slices of `filetype`, the first at 4096 (like lipo makes). */
function fat(filetype) {
  const b = Buffer.alloc(8192 + 64);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt32BE(2, 4);
  for (const [i, offset] of [4096, 8192].entries()) {
    b.writeUInt32BE(i === 0 ? 0x01000007 : 0x0100000c, 8 + i * 20);
    b.writeUInt32BE(offset, 8 + i * 20 + 8);
    b.writeUInt32BE(64, 8 + i * 20 + 12);
    thin(filetype).copy(b, offset);
  }
  return b;
}

async function put(rel, content) {
  const file = path.join(tree, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stigmer-mac-sign-'));
  tree = path.join(work, 'Stigmer Local.app/Contents/Resources/runner');
  const bin = path.join(work, 'fake-bin');
  await mkdir(bin, { recursive: true });
  calls = path.join(work, 'codesign-calls.jsonl');
  const fake = path.join(bin, 'codesign');
  await writeFile(
    fake,
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(calls)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
  );
  await chmod(fake, 0o755);
  process.env.PATH = `${bin}${path.delimiter}${savedEnv.PATH ?? ''}`;
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await rm(work, { recursive: true, force: true });
});

const recorded = () =>
  readFileSync(calls, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('mac-sign-runner', () => {
  it('finds Mach-O files by their bytes, not their names', async () => {
    const sqlite = await put('node_modules/sqlite3/build/Release/node_sqlite3.node', thin(8));
    const bridge = await put(
      'node_modules/@stigmer/runner-slim-darwin-arm64/core-bridge/index.node',
      fat(6),
    );
    const rg = await put('node_modules/@cursor/sdk-darwin-arm64/bin/rg', thin(2));
    const lib = await put('node_modules/x/lib/libfoo.dylib', thin(6));
    // Not Mach-O: JavaScript, a Java class (same magic as a universal file), an object file
    // (MH_OBJECT, never loaded), a file too short to have a header, a text file named like a binary.
    await put('node_modules/@stigmer/runner-slim/main.js', '#!/usr/bin/env node\n');
    await put(
      'node_modules/x/Main.class',
      Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0]),
    );
    await put('node_modules/x/foo.o', thin(1));
    await put('node_modules/x/tiny', Buffer.from([0xcf, 0xfa]));
    await put('node_modules/x/fake.node', 'not a binary');
    await symlink(rg, path.join(tree, 'node_modules/rg-link'));

    const found = findMachO(tree);
    expect(found.map((f) => f.path).sort()).toEqual([bridge, lib, rg, sqlite].sort());
    expect(machOKind(bridge)).toEqual({ kind: 'library', fat: true });
    expect(machOKind(rg)).toEqual({ kind: 'executable', fat: false });
    expect(machOKind(sqlite)).toEqual({ kind: 'library', fat: false });
  });

  it('signs inside-out with the hardened runtime; only a node executable gets the JIT entitlements', async () => {
    const deep = await put('node_modules/a/b/c/d/e/deep.node', thin(8));
    const rg = await put('node_modules/@cursor/sdk-darwin-arm64/bin/rg', thin(2));
    const node = await put('node_modules/some-runtime/bin/node', fat(2));
    const commands = signCommands(findMachO(tree), {
      identity: 'Developer ID Application: Stigmer (TEAM123)',
    });
    // The deepest first; rg and node are as deep, so by path.
    expect(commands.map((argv) => argv.at(-1))).toEqual([deep, rg, node]);
    expect(commands[0]).toEqual([
      '--sign',
      'Developer ID Application: Stigmer (TEAM123)',
      '--force',
      '--timestamp',
      '--options',
      'runtime',
      deep,
    ]);
    const forNode = commands.find((argv) => argv.at(-1) === node);
    expect(forNode).toContain('--entitlements');
    expect(forNode[forNode.indexOf('--entitlements') + 1]).toBe(NODE_ENTITLEMENTS);
    expect(commands.find((argv) => argv.at(-1) === rg)).not.toContain('--entitlements');
    // The entitlements file exists and holds JIT but not disable-library-validation.
    const plist = readFileSync(NODE_ENTITLEMENTS, 'utf8');
    expect(plist).toContain('com.apple.security.cs.allow-jit');
    expect(plist).not.toContain('<key>com.apple.security.cs.disable-library-validation</key>');
  });

  it('runs codesign from PATH for each file, then verifies each', async () => {
    const sqlite = await put('node_modules/sqlite3/build/Release/node_sqlite3.node', thin(8));
    const rg = await put('node_modules/@cursor/sdk-darwin-arm64/bin/rg', thin(2));
    const signed = signRunnerTree({ dir: tree, identity: 'ID', keychain: '/tmp/k.keychain' });
    expect(signed).toHaveLength(2);
    const argvs = recorded();
    expect(argvs).toHaveLength(4);
    // Same depth: by path.
    expect(argvs.slice(0, 2).map((a) => a.at(-1))).toEqual([rg, sqlite]);
    expect(argvs[0]).toEqual([
      '--sign',
      'ID',
      '--force',
      '--timestamp',
      '--options',
      'runtime',
      '--keychain',
      '/tmp/k.keychain',
      rg,
    ]);
    expect(argvs.slice(2)).toEqual([
      ['--verify', '--strict', '--verbose=2', rg],
      ['--verify', '--strict', '--verbose=2', sqlite],
    ]);
  });

  it('as afterPack: signs a mac app with CSC_NAME, skips other platforms and unsigned builds, refuses half-signed ones', async () => {
    const rg = await put('node_modules/@cursor/sdk-darwin-arm64/bin/rg', thin(2));
    const context = (platform) => ({
      electronPlatformName: platform,
      appOutDir: work,
      packager: {
        appInfo: { productFilename: 'Stigmer Local' },
        platformSpecificBuildOptions: {},
        codeSigningInfo: { value: Promise.resolve({ keychainFile: '/tmp/build.keychain' }) },
      },
    });
    delete process.env.CSC_NAME;
    delete process.env.CSC_LINK;
    delete process.env.STIGMER_MAC_SIGN_IDENTITY;
    delete process.env.CSC_IDENTITY_AUTO_DISCOVERY;

    await afterPack(context('linux'));
    await afterPack(context('darwin')); // no identity: an unsigned build
    expect(() => readFileSync(calls)).toThrow();

    process.env.CSC_LINK = '/secrets/cert.p12';
    await expect(afterPack(context('darwin'))).rejects.toThrow(
      /set CSC_NAME to the identity's name/,
    );

    process.env.CSC_NAME = 'Developer ID Application: Stigmer (TEAM123)';
    await afterPack(context('darwin'));
    expect(recorded()[0]).toEqual([
      '--sign',
      'Developer ID Application: Stigmer (TEAM123)',
      '--force',
      '--timestamp',
      '--options',
      'runtime',
      '--keychain',
      '/tmp/build.keychain',
      rg,
    ]);
  });

  it('says what to do when the app carries no runner tree', () => {
    expect(() => signRunnerTree({ dir: path.join(work, 'nothing'), identity: 'ID' })).toThrow(
      /carries no runner to sign\. Stage it/,
    );
  });
});
