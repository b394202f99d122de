// macOS signing of the runner the app carries (<app>.app/Contents/Resources/runner), hooked as
// electron-builder's afterPack: it runs before electron-builder signs the app, which then seals
// this tree into the app's signature (mac.signIgnore keeps its own pass off these files, so the
// entitlements chosen here are the ones that ship). Notarization refuses any Mach-O that is not
// signed with a Developer ID, the hardened runtime and a secure timestamp; the runner carries
// several (sqlite3's binding, the Temporal core bridge, @cursor/sdk's rg and cursorsandbox).
//
// Mach-O files are found by their magic bytes, not their names: .node add-ons, extension-less
// executables and dylibs alike. They are signed inside-out (deepest path first) so that nothing
// is signed before what it contains. Entitlements (see docs/bundled-runner.md):
//   - libraries (.node, .dylib, bundles): none; entitlements belong to processes, and these load
//     into the app's own binary run as Node (ELECTRON_RUN_AS_NODE), which has allow-jit from
//     resources/entitlements.mac.plist. Signed with the app's Team ID, they pass library
//     validation; disable-library-validation stays on the app only for runners the user installed.
//   - an executable named node (a Node runtime, should a runner ever ship one): allow-jit and
//     allow-unsigned-executable-memory (resources/entitlements.runner-node.plist), which V8 needs.
//   - other executables (rg, cursorsandbox): the hardened runtime with no exceptions.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, readdirSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The entitlements a Node runtime needs (JIT); given only to executables named node. */
export const NODE_ENTITLEMENTS = path.join(root, 'resources/entitlements.runner-node.plist');

const MH_EXECUTE = 2;
const MH_DYLIB = 6;
const MH_BUNDLE = 8;

/** Reads `length` bytes at `position` of an open file (fewer at its end). */
function readAt(fd, position, length) {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, read);
}

/** The filetype of a thin Mach-O header at the start of `head`, or null when it is not one. */
function thinFiletype(head) {
  if (head.length < 16) return null;
  const magic = head.readUInt32BE(0);
  // 0xfeedface / 0xfeedfacf big-endian; 0xcefaedfe / 0xcffaedfe as little-endian machines write them.
  if (magic === 0xfeedface || magic === 0xfeedfacf) return head.readUInt32BE(12);
  if (magic === 0xcefaedfe || magic === 0xcffaedfe) return head.readUInt32LE(12);
  return null;
}

/**
 * What a file is, from its first bytes: { kind: 'executable' | 'library', fat } for a Mach-O,
 * null for anything else. A universal (fat) file shares its magic 0xcafebabe with Java class
 * files; like file(1), an architecture count under 20 means Mach-O (a class file has its version
 * there, 45 or more). Its kind is its first slice's.
 */
export function machOKind(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = readAt(fd, 0, 32);
    if (head.length < 8) return null;
    const magic = head.readUInt32BE(0);
    let filetype = thinFiletype(head);
    let fat = false;
    if (filetype === null && (magic === 0xcafebabe || magic === 0xcafebabf)) {
      const count = head.readUInt32BE(4);
      if (count === 0 || count >= 20) return null;
      // fat_arch is 20 bytes (cputype, cpusubtype, offset, size, align); fat_arch_64 is 32, with a
      // 64-bit offset at 8.
      const offset =
        magic === 0xcafebabe ? head.readUInt32BE(16) : Number(readAt(fd, 16, 8).readBigUInt64BE(0));
      filetype = thinFiletype(readAt(fd, offset, 16));
      fat = true;
    }
    if (filetype === MH_EXECUTE) return { kind: 'executable', fat };
    if (filetype === MH_DYLIB || filetype === MH_BUNDLE) return { kind: 'library', fat };
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Every Mach-O under `dir` (symlinks are not followed: they are signed where they point). */
export function findMachO(dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const kind = machOKind(full);
        if (kind) found.push({ path: full, ...kind });
      }
    }
  };
  walk(dir);
  return found;
}

/** Entitlements for one Mach-O (null: none); see the header comment. */
export function entitlementsFor(file) {
  return file.kind === 'executable' && path.basename(file.path) === 'node'
    ? NODE_ENTITLEMENTS
    : null;
}

/** Deepest first (inside-out), then by path, so the order is the same on every machine. */
export function signingOrder(files) {
  const depth = (f) => f.path.split(path.sep).length;
  return [...files].sort((a, b) => depth(b) - depth(a) || a.path.localeCompare(b.path));
}

/** The codesign argv for each file, in signing order. */
export function signCommands(files, { identity, keychain = null }) {
  return signingOrder(files).map((file) => {
    const entitlements = entitlementsFor(file);
    return [
      '--sign',
      identity,
      '--force',
      '--timestamp',
      '--options',
      'runtime',
      ...(entitlements ? ['--entitlements', entitlements] : []),
      ...(keychain ? ['--keychain', keychain] : []),
      file.path,
    ];
  });
}

/**
 * Signs every Mach-O under `dir` with `identity`, then verifies each signature. `codesign` is
 * the command to run (tests put a recording stand-in first on PATH). Returns the files signed.
 */
export function signRunnerTree({ dir, identity, keychain = null, codesign = 'codesign' }) {
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) {
    throw new Error(
      `${dir} is missing: the app carries no runner to sign. Stage it (npm run runner:stage) before electron-builder packs, or build with STIGMER_LOCAL_SKIP_RUNNER=1 and without its extraResources.`,
    );
  }
  const files = findMachO(dir);
  for (const argv of signCommands(files, { identity, keychain })) {
    execFileSync(codesign, argv, { stdio: 'inherit' });
  }
  for (const file of signingOrder(files)) {
    execFileSync(codesign, ['--verify', '--strict', '--verbose=2', file.path], {
      stdio: 'inherit',
    });
  }
  return files;
}

/** The identity to sign with: STIGMER_MAC_SIGN_IDENTITY, CSC_NAME or mac.identity; else null. */
export function signingIdentity(env, macConfig) {
  return env.STIGMER_MAC_SIGN_IDENTITY || env.CSC_NAME || macConfig?.identity || null;
}

/** electron-builder afterPack hook: signs the runner inside a macOS app; elsewhere does nothing. */
export default async function afterPack(context) {
  if (context.electronPlatformName !== 'darwin' && context.electronPlatformName !== 'mas') return;
  const app = path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  const dir = path.join(app, 'Contents/Resources/runner');
  const identity = signingIdentity(process.env, context.packager.platformSpecificBuildOptions);
  const signing = Boolean(process.env.CSC_LINK) || Boolean(identity);
  if (!identity || process.env.CSC_IDENTITY_AUTO_DISCOVERY === 'false') {
    if (signing && process.env.CSC_IDENTITY_AUTO_DISCOVERY !== 'false') {
      throw new Error(
        'electron-builder will sign this app (CSC_LINK is set) but the runner inside it cannot be: set CSC_NAME to the identity\'s name ("Developer ID Application: …") so scripts/mac-sign-runner.mjs signs with the same one; notarization refuses unsigned Mach-O files.',
      );
    }
    console.log(
      'mac-sign-runner: unsigned build (no identity): the runner inside is left unsigned too.',
    );
    return;
  }
  if (!existsSync(dir)) {
    console.log(
      `mac-sign-runner: ${dir} is absent (built with STIGMER_LOCAL_SKIP_RUNNER=1?): nothing to sign.`,
    );
    return;
  }
  // electron-builder imports CSC_LINK into a temporary keychain; sign from the same one.
  const keychain = await Promise.resolve(context.packager.codeSigningInfo?.value)
    .then((info) => info?.keychainFile ?? null)
    .catch(() => null);
  const files = signRunnerTree({ dir, identity, keychain });
  console.log(`mac-sign-runner: signed ${files.length} Mach-O files in ${dir}`);
}
