import { open, readFile, realpath } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import semver from 'semver';

/**
 * npm-installed programs: `npm i -g @stigmer/runner-slim` puts a `stigmer-runner` symlink (a
 * `.cmd` shim on Windows) on PATH whose target is a Node script. Run directly it would use
 * whatever `node` the shebang finds, so the app resolves the script and its package's
 * `engines.node`, then runs it with a Node it chose (node-runtime.ts).
 */

/** A Node script behind a command, and the package it belongs to. */
export interface NodeScript {
  /** The real path of the script to pass to Node. */
  script: string;
  /** The folder of the package.json it belongs to, or null. */
  packageDir: string | null;
  packageName: string | null;
  /** `engines.node` of that package, e.g. ">=22.13", or null. */
  enginesNode: string | null;
}

const NODE_EXT = new Set(['.js', '.mjs', '.cjs']);
/** How far up from a script to look for its package.json (bins sit at most a few levels deep). */
const MAX_UP = 8;

/**
 * Resolves `command` (a path: a symlink, a .cmd/.sh npm shim, or the script itself) to the Node
 * script it runs, or null when it is not a Node script (a native binary, a shell script).
 */
export async function resolveNodeScript(command: string): Promise<NodeScript | null> {
  let real: string;
  try {
    real = await realpath(command);
  } catch {
    return null;
  }
  const head = await readHead(real);
  if (head === null) return null;
  let script: string | null = null;
  if (NODE_EXT.has(extname(real).toLowerCase()) || isNodeShebang(head)) {
    script = real;
  } else {
    const target = shimTarget(head, dirname(real));
    if (target) script = await realpath(target).catch(() => null);
  }
  if (!script) return null;
  const pkg = await findPackage(dirname(script));
  return {
    script,
    packageDir: pkg?.dir ?? null,
    packageName: pkg?.name ?? null,
    enginesNode: pkg?.enginesNode ?? null,
  };
}

/** `#!/usr/bin/env node`, `#!/usr/local/bin/node`, `#!/usr/bin/env -S node --flag`. */
export function isNodeShebang(head: string): boolean {
  const first = head.split('\n', 1)[0] ?? '';
  return /^#!\S*(?:\/env(?:\s+-S)?\s+|\/)node(?:\s|$)/.test(first.trimEnd() + ' ');
}

/**
 * The script an npm shim runs. cmd-shim writes `"%dp0%\\node_modules\\pkg\\main.js"` (global)
 * or `"%dp0%\\..\\pkg\\main.js"` (node_modules/.bin) in .cmd files and `"$basedir/../pkg/main.js"`
 * in its sh and .ps1 shims; the path is relative to the shim's folder.
 */
export function shimTarget(text: string, shimDir: string): string | null {
  const m =
    /"%~?dp0%?\\([^"%]+?\.[cm]?js)"/i.exec(text) ?? /"\$basedir[\\/]([^"$]+?\.[cm]?js)"/.exec(text);
  if (!m?.[1]) return null;
  return resolve(shimDir, m[1].replace(/\\/g, '/'));
}

/** The nearest package.json above `dir` that names a package (skips {"type":"module"} stubs). */
export async function findPackage(
  dir: string,
): Promise<{ dir: string; name: string; enginesNode: string | null } | null> {
  let here = dir;
  for (let i = 0; i < MAX_UP; i++) {
    const pkg = await readJson(join(here, 'package.json'));
    if (pkg && typeof pkg.name === 'string') {
      const engines = pkg.engines as { node?: unknown } | undefined;
      return {
        dir: here,
        name: pkg.name,
        enginesNode: typeof engines?.node === 'string' ? engines.node : null,
      };
    }
    const up = dirname(here);
    if (up === here) break;
    here = up;
  }
  return null;
}

/** `engines.node` of an installed package folder, or null when it declares none. */
export async function readEnginesNode(packageDir: string): Promise<string | null> {
  const pkg = await readJson(join(packageDir, 'package.json'));
  const engines = pkg?.engines as { node?: unknown } | undefined;
  return typeof engines?.node === 'string' ? engines.node : null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(path, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The first bytes of a file: enough for a shebang or a whole npm shim. */
async function readHead(path: string): Promise<string | null> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(2048);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

// --- npm's version ranges ------------------------------------------------------------------
// `engines.node` is written in npm's range grammar, so npm's own semver reads it. Loose parsing
// is off: "v22.13.0" is accepted (semver strips the v), a nightly or pre-release never satisfies.

/** "22.13.0" or "v22.13.0" -> "v22.13.0"; null when it is not a plain release version. */
export function normaliseVersion(v: string): string | null {
  const parsed = semver.parse(v.trim());
  return parsed && parsed.prerelease.length === 0 ? `v${parsed.version}` : null;
}

/** Orders two versions ("v22.13.0"); unparsable ones sort first. */
export function compareVersions(a: string, b: string): number {
  const x = semver.valid(a.trim());
  const y = semver.valid(b.trim());
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return semver.compare(x, y);
}

/** True when `version` ("v22.13.0") is in `range` (">=22.13"); throws on a range it cannot read. */
export function satisfies(version: string, range: string): boolean {
  if (semver.validRange(range) === null) throw new Error(`not a version range: ${range}`);
  const v = normaliseVersion(version);
  return v !== null && semver.satisfies(v, range);
}
